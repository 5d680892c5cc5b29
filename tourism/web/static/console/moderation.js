// The moderation queues (moderators and admins): pending reviews and flagged ones, oldest
// first, decided one at a time (buttons or the keyboard: j/k, a, r) or approved in bulk.
import { api } from '../api.js';
import { append, h } from '../dom.js';
import { formatDateTime, plural, t } from '../i18n.js';
import {
  confirmDialog, emptyState, errorMessage, errorState, loadingState, pageHeading, toast,
} from './ui.js';

const STAFF = ['moderator', 'admin'];
const QUEUES = ['pending', 'flagged'];
const QUEUE_LIMIT = 100;
// The reasons a moderator gives most often; the chosen one fills the reason box, still editable.
const REASONS = {
  spam: () => t('console_mod_reason_spam'),
  off_topic: () => t('console_mod_reason_off_topic'),
  personal_data: () => t('console_mod_reason_personal_data'),
  hateful: () => t('console_mod_reason_hateful'),
  not_a_visit: () => t('console_mod_reason_not_a_visit'),
  other: () => t('console_mod_reason_other'),
};
const AUTO_FLAGS = {
  link: () => t('console_mod_autoflag_link'),
  duplicate_text: () => t('console_mod_autoflag_duplicate_text'),
};
// Keys typed into a field are text, never shortcuts.
const TYPING = 'input, textarea, select, [contenteditable="true"]';

const queueCount = (status) =>
  api('/moderation/reviews', { params: { status, limit: 1 } }).then((d) => d.total);

// The moderation and department screens' own few rules, beside console.css.
export function homeCards(ctx) {
  if (!STAFF.includes(ctx.user.role)) return [];
  return [
    { title: 'console_mod_card_pending', href: '/console/moderation?status=pending', count: queueCount('pending') },
    { title: 'console_mod_card_flagged', href: '/console/moderation?status=flagged', count: queueCount('flagged') },
  ];
}

function currentQueue() {
  const status = new URLSearchParams(window.location.search).get('status');
  return QUEUES.includes(status) ? status : 'pending';
}

function stars(rating) {
  return h('span', { class: 'mod-stars', role: 'img', 'aria-label': t('console_mod_rating_aria', { n: rating }) },
    h('span', { 'aria-hidden': 'true' }, '★'.repeat(rating) + '☆'.repeat(5 - rating)));
}

function flagList(item) {
  const flags = [
    ...item.auto_flags.map((flag) =>
      h('li', { class: 'badge badge-unknown' }, AUTO_FLAGS[flag] ? AUTO_FLAGS[flag]() : flag)),
    ...item.flags.map((reason) =>
      h('li', { class: 'mod-user-flag' }, h('strong', {}, t('console_mod_user_flag')), ' ', reason)),
  ];
  if (!flags.length) return null;
  return h('ul', { class: 'mod-flags', 'aria-label': t('console_mod_flags_label') }, flags);
}

function history(item) {
  const past = item.author_history;
  if (!past) return null;
  return h('span', { class: 'mod-history' },
    plural('console_mod_history_reviews', past.reviews), ' · ',
    h('span', { class: past.rejected ? 'mod-warn' : null }, plural('console_mod_history_rejected', past.rejected)), ' · ',
    h('span', { class: past.removed ? 'mod-warn' : null }, plural('console_mod_history_removed', past.removed)));
}

export const screens = [
  {
    path: /^\/console\/moderation\/?$/,
    roles: STAFF,
    title: 'console_mod_title',
    render: renderQueues,
  },
];

async function renderQueues(main) {
  const status = currentQueue();
  const tabs = h('nav', { class: 'tabs mod-tabs', 'aria-label': t('console_mod_queues_label') },
    h('ul', {}, QUEUES.map((queue) => h('li', {}, h('a', {
      href: `/console/moderation?status=${queue}`,
      dataset: { queue },
      'aria-current': queue === status ? 'page' : null,
    }, queue === 'pending' ? t('console_mod_tab_pending') : t('console_mod_tab_flagged'))))));
  const help = h('p', { class: 'hint mod-help', id: 'mod-help' }, t('console_mod_shortcuts'));
  const body = h('div', { class: 'mod-body' });
  main.replaceChildren(
    pageHeading(t('console_mod_title')),
    tabs,
    help,
    body,
  );

  let items = [];
  let list = null;
  let current = 0;
  const progress = h('p', { class: 'mod-progress', role: 'status' });
  const failures = h('ul', { class: 'mod-failures', role: 'alert' });
  const selectAll = h('input', { type: 'checkbox', id: 'mod-select-all' });
  const bulkButton = h('button', { type: 'button', class: 'primary', id: 'mod-approve-selected' });
  const bulkBox = h('div', { class: 'mod-bulk' },
    h('label', { class: 'check', for: selectAll.id }, selectAll, t('console_mod_select_all')),
    bulkButton);
  // What the last bulk approval did; it stays when the queue empties.
  const report = h('div', { class: 'mod-report' }, progress, failures);
  const moreButton = h('button', { type: 'button', class: 'more', onclick: () => load(true) }, t('console_mod_more'));
  let hasMore = false;
  let nextCursor = null; // where the next page starts: decisions since do not move it

  function showCount(queue, n, more) {
    const tab = tabs.querySelector(`[data-queue="${queue}"]`);
    const label = queue === 'pending' ? t('console_mod_tab_pending') : t('console_mod_tab_flagged');
    tab.textContent = `${label} (${n}${more ? '+' : ''})`;
  }

  const cards = () => [...(list?.querySelectorAll('.mod-item') ?? [])];
  const selectable = () => cards().map((card) => card.querySelector('.mod-select')).filter(Boolean);

  function updateBulk() {
    const boxes = selectable();
    const chosen = boxes.filter((box) => box.checked).length;
    bulkButton.textContent = t('console_mod_approve_selected', { n: chosen });
    bulkButton.disabled = chosen === 0;
    selectAll.checked = boxes.length > 0 && chosen === boxes.length;
    selectAll.indeterminate = chosen > 0 && chosen < boxes.length;
    selectAll.disabled = boxes.length === 0;
    bulkBox.hidden = boxes.length === 0;
  }

  function focusCard(index, { move = true } = {}) {
    const all = cards();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((card, i) => card.classList.toggle('is-current', i === current));
    if (!move) return;
    all[current].focus();
    all[current].scrollIntoView?.({ block: 'nearest' });
  }

  function removeCard(card) {
    const index = cards().indexOf(card);
    const hadFocus = card.contains(document.activeElement);
    card.remove();
    items = items.filter((item) => String(item.id) !== card.dataset.reviewId);
    showCount(status, items.length, hasMore);
    updateBulk();
    if (cards().length) {
      if (hadFocus) focusCard(index); // the next review, ready for the next key
    } else if (hasMore) {
      load();
    } else {
      showEmpty();
    }
  }

  function showEmpty() {
    body.replaceChildren(report, emptyState(
      status === 'pending' ? t('console_mod_empty_pending') : t('console_mod_empty_flagged')));
  }

  async function decide(item, action, reason) {
    const json = { action };
    // The reason goes to the author with a refusal; an approval needs none.
    if (reason && (action === 'reject' || action === 'remove')) json.reason = reason;
    await api(`/moderation/reviews/${item.id}/decision`, { method: 'POST', json });
  }

  function decisionForm(item, card) {
    const id = `reason-${item.id}`;
    const pendingReview = item.status === 'pending';
    const template = h('select', { id: `${id}-template`, name: 'template', class: 'mod-template' },
      h('option', { value: '' }, t('console_mod_reason_choose')),
      Object.entries(REASONS).map(([key, label]) => h('option', { value: key }, label())));
    const reason = h('input', {
      id, name: 'reason', type: 'text', maxlength: 500, class: 'mod-reason', autocomplete: 'off',
      'aria-describedby': `${id}-note ${id}-error`,
    });
    const error = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert' });
    template.addEventListener('change', () => {
      if (template.value === 'other') {
        reason.value = '';
      } else if (template.value) {
        reason.value = REASONS[template.value]();
      }
      reason.focus();
    });
    reason.addEventListener('input', () => { error.textContent = ''; });

    const approveAction = pendingReview ? 'approve' : 'restore';
    const refuseAction = pendingReview ? 'reject' : 'remove';
    const buttons = h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'primary', dataset: { action: approveAction } },
        pendingReview ? t('console_mod_approve') : t('console_mod_restore')),
      h('button', { type: 'submit', class: 'danger-quiet', dataset: { action: refuseAction } },
        pendingReview ? t('console_mod_reject') : t('console_mod_remove')));
    const form = h('form', { class: 'mod-decision', novalidate: true },
      h('div', { class: 'mod-reason-row' },
        h('p', { class: 'field' },
          h('label', { for: template.id }, t('console_mod_reason_template')),
          template),
        h('p', { class: 'field' },
          h('label', { for: id }, t('console_mod_reason')),
          reason,
          h('span', { class: 'hint', id: `${id}-note` },
            pendingReview ? t('console_mod_reason_required_reject') : t('console_mod_reason_required_remove')),
          error)),
      buttons);

    async function run(action) {
      const text = reason.value.trim();
      if ((action === 'reject' || action === 'remove') && !text) {
        error.textContent = t('console_mod_reason_missing');
        reason.setAttribute('aria-invalid', 'true');
        reason.focus();
        return;
      }
      reason.removeAttribute('aria-invalid');
      const all = form.querySelectorAll('button');
      all.forEach((b) => { b.disabled = true; });
      try {
        await decide(item, action, text);
        const done = {
          approve: t('console_mod_done_approve'),
          reject: t('console_mod_done_reject'),
          restore: t('console_mod_done_restore'),
          remove: t('console_mod_done_remove'),
        }[action];
        toast(done);
        removeCard(card);
      } catch (problem) {
        all.forEach((b) => { b.disabled = false; });
        const field = problem.fields?.find((f) => f.field === 'reason');
        error.textContent = field ? field.message : errorMessage(problem);
        if (problem.status === 409 || problem.status === 404) {
          error.textContent = t('console_mod_already_decided');
        }
      }
    }

    buttons.querySelector(`[data-action="${approveAction}"]`).addEventListener('click', () => run(approveAction));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      run(refuseAction);
    });
    form.approve = () => run(approveAction);
    form.focusReason = () => reason.focus();
    return form;
  }

  function itemCard(item) {
    const headingId = `review-${item.id}-title`;
    const card = h('li', {
      class: 'card mod-item', tabindex: '-1', dataset: { reviewId: item.id, status: item.status },
      'aria-labelledby': headingId,
    });
    const select = item.status === 'pending'
      ? h('input', {
        type: 'checkbox', class: 'mod-select', id: `select-${item.id}`,
        onchange: updateBulk,
      })
      : null;
    const form = decisionForm(item, card);
    card.decision = form;
    card.addEventListener('focusin', () => {
      current = cards().indexOf(card);
      cards().forEach((c) => c.classList.toggle('is-current', c === card));
    });
    append(card, [
      h('div', { class: 'mod-item-head' },
        select ? h('label', { class: 'check mod-check', for: select.id },
          select, h('span', { class: 'visually-hidden' }, t('console_mod_select', { author: item.author }))) : null,
        h('h2', { id: headingId, class: 'mod-item-title' },
          stars(item.rating), ' ',
          h('a', { href: `/eateries/${item.eatery_id}`, target: '_blank', rel: 'noopener' },
            item.eatery_name,
            h('span', { class: 'visually-hidden' }, ` (${t('console_mod_new_tab')})`)))),
      h('p', { class: 'meta' },
        h('span', { class: 'mod-author' }, t('console_mod_by', { author: item.author })),
        ' · ', history(item),
        ' · ', h('time', { datetime: item.submitted_at }, formatDateTime(item.submitted_at)),
        item.status === 'flagged' ? [' · ', h('span', { class: 'badge badge-closed' }, t('console_mod_status_flagged'))] : null),
      item.text
        ? h('blockquote', { class: 'mod-text' }, item.text)
        : h('p', { class: 'mod-text mod-no-text' }, t('console_mod_no_text')),
      flagList(item),
      form,
      item.author_id ? h('p', { class: 'mod-author-actions' },
        h('button', { type: 'button', class: 'link danger-link', onclick: () => disableAuthor(item) },
          t('console_mod_disable_author', { author: item.author }))) : null,
    ]);
    return card;
  }

  async function disableAuthor(item) {
    const ok = await confirmDialog({
      title: t('console_mod_disable_title', { author: item.author }),
      text: t('console_mod_disable_text'),
      confirm: t('console_mod_disable_confirm'),
      danger: true,
    });
    if (!ok) return;
    try {
      await api(`/admin/users/${item.author_id}/disable`, { method: 'POST' });
      toast(t('console_mod_disabled', { author: item.author }));
      await load(); // the account's pending and flagged reviews have left the queue
    } catch (problem) {
      toast(errorMessage(problem), { kind: 'error' });
    }
  }

  async function approveSelected() {
    const chosen = cards().filter((card) => card.querySelector('.mod-select')?.checked);
    if (!chosen.length) return;
    failures.replaceChildren();
    bulkButton.disabled = true;
    let done = 0;
    const failed = [];
    for (const [i, card] of chosen.entries()) {
      progress.textContent = t('console_mod_bulk_progress', { i: i + 1, n: chosen.length });
      const item = items.find((it) => String(it.id) === card.dataset.reviewId);
      try {
        await decide(item, 'approve');
        done += 1;
        removeCard(card);
      } catch (problem) {
        failed.push([item, problem]);
      }
    }
    progress.textContent = failed.length
      ? t('console_mod_bulk_done_failed', { done, failed: failed.length })
      : t('console_mod_bulk_done', { done });
    failures.replaceChildren(...failed.map(([item, problem]) =>
      h('li', {}, t('console_mod_bulk_failure', { author: item.author, eatery: item.eatery_name }), ' ', errorMessage(problem))));
    updateBulk();
  }

  // A page at a time, oldest first; decided reviews leave the queue, so the next page starts
  // after the ones still shown.
  async function load(more = false) {
    if (more) {
      moreButton.disabled = true;
    } else {
      body.replaceChildren(loadingState());
      // The other queue's size for its tab, without waiting for it.
      const other = status === 'pending' ? 'flagged' : 'pending';
      queueCount(other).then((n) => showCount(other, n, false)).catch(() => {});
    }
    let data;
    try {
      data = await api('/moderation/reviews', {
        params: { status, limit: QUEUE_LIMIT, ...(more && nextCursor ? { cursor: nextCursor } : {}) },
      });
    } catch (problem) {
      if (!more) {
        body.replaceChildren(errorState(problem, () => load()));
        return;
      }
      moreButton.disabled = false;
      toast(errorMessage(problem), { kind: 'error' });
      return;
    }
    nextCursor = data.next_cursor;
    hasMore = nextCursor != null;
    const fresh = data.items.filter((item) => !items.some((it) => it.id === item.id))
      // A deleted account's review has no author: shown as a former visitor.
      .map((item) => ({ ...item, author: item.author ?? t('former_visitor') }));
    items = more ? [...items, ...fresh] : fresh;
    showCount(status, items.length, hasMore);
    if (!items.length) {
      showEmpty();
      return;
    }
    if (!more) {
      list = h('ol', { class: 'cards mod-list', 'aria-describedby': 'mod-help' });
      body.replaceChildren(bulkBox, report, list, moreButton);
    }
    list.append(...fresh.map(itemCard));
    if (!more) focusCard(0, { move: false });
    moreButton.disabled = false;
    moreButton.hidden = !hasMore;
    updateBulk();
  }

  selectAll.addEventListener('change', () => {
    selectable().forEach((box) => { box.checked = selectAll.checked; });
    updateBulk();
  });
  bulkButton.addEventListener('click', approveSelected);

  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest?.(TYPING) || document.querySelector('dialog[open]')) return;
    if (!main.contains(body)) return; // another screen is showing: these keys are not ours
    const all = cards();
    if (!all.length) return;
    const card = all[current] ?? all[0];
    if (event.key === 'j') focusCard(current + 1);
    else if (event.key === 'k') focusCard(current - 1);
    else if (event.key === 'a') card.decision.approve();
    else if (event.key === 'r') card.decision.focusReason();
    else return;
    event.preventDefault();
  }
  document.addEventListener('keydown', onKey);

  await load();
  return () => document.removeEventListener('keydown', onKey);
}

// The vendor's screens: their eateries; one eatery's status, phone, descriptions and hours
// (the week editor); its menu (dishes from the catalogue, prices in VND, available or not,
// saved in one request, each price's history as a chart); its reviews with the one public
// reply; their QR codes with scans per day and the poster downloads.
import { api, ApiError } from '../api.js';
import { announce, debounce, h } from '../dom.js';
import { formatDate, formatDateTime, localDay, t } from '../i18n.js';
import { lineChart } from './chart.js';
import { hoursEditor } from './hours-editor.js';
import * as ui from './ui.js';

const ID = '([1-9][0-9]{0,17})';
const STATUSES = ['active', 'temporarily_closed', 'closed'];
const MAX_MATCHES = 8;

// -- pieces -----------------------------------------------------------------------------------

function statusText(eatery) {
  if (eatery.status === 'temporarily_closed') {
    return eatery.closed_until
      ? t('console_status_temporarily_closed_until', { date: formatDate(`${eatery.closed_until}T12:00:00+07:00`) })
      : t('console_status_temporarily_closed');
  }
  if (eatery.status === 'closed') return t('console_status_closed');
  return t('console_status_active');
}

function statusBadge(eatery) {
  const kind = { active: 'badge-open', temporarily_closed: 'badge-unknown', closed: 'badge-closed' }[eatery.status]
    || 'badge-unknown';
  return h('span', { class: `badge ${kind} status-badge` }, statusText(eatery));
}

function names(item) {
  return h('span', { class: 'dish-name' },
    h('span', { lang: 'vi' }, item.name_vi),
    item.name_en && item.name_en !== item.name_vi ? h('span', { class: 'secondary', lang: 'en' }, item.name_en) : null);
}

// Every page of a list (limit and cursor: the API's one paging style).
async function allPages(path, params = {}) {
  const items = [];
  let cursor = null;
  do {
    const page = await api(path, { params: { ...params, limit: 100, ...(cursor ? { cursor } : {}) } });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

const myEateries = async () => ({ items: await allPages('/vendor/eateries') });
const wholeMenu = async (eateryId) => ({ items: await allPages(`/vendor/eateries/${eateryId}/menu`) });

async function findEatery(id) {
  const { items } = await myEateries();
  const eatery = items.find((e) => e.id === id);
  // Not theirs (or gone): the same answer the API gives for another vendor's eatery.
  if (!eatery) throw new ApiError(404, { error: { code: 'not_found', message: 'not found' } });
  return eatery;
}

function eateryTabs(id, current) {
  const tabs = [
    ['details', `/console/vendor/eateries/${id}`, t('console_tab_details')],
    ['menu', `/console/vendor/eateries/${id}/menu`, t('console_tab_menu')],
    ['reviews', `/console/vendor/eateries/${id}/reviews`, t('console_tab_reviews')],
  ];
  return h('nav', { class: 'tabs', 'aria-label': t('console_tabs_label') },
    h('ul', {}, tabs.map(([key, href, text]) => h('li', {},
      h('a', { href, 'aria-current': key === current ? 'page' : null }, text)))),
    h('a', { class: 'public-link', href: `/eateries/${id}`, target: '_blank', rel: 'noopener' },
      t('console_view_public')));
}

// The frame of an eatery's screen: back link, the name as heading, the tabs; `body` is filled
// once the eatery is known (or says what went wrong, with a retry).
async function eateryFrame(main, ctx, current, fill) {
  const id = Number(ctx.match[1]);
  const heading = ui.pageHeading(t('console_vendor_eatery'), {
    back: { href: '/console/vendor', text: t('console_vendor_eateries') },
  });
  const status = h('p', { class: 'meta' });
  const body = h('div', { class: 'screen-body' });
  main.replaceChildren(heading, status, eateryTabs(id, current), body);
  let cleanup = null;
  await ui.loadInto(body, () => findEatery(id), (eatery) => {
    heading.querySelector('h1').textContent = eatery.name_vi;
    document.title = `${eatery.name_vi} · ${t('console_brand')}`;
    status.replaceChildren(statusBadge(eatery));
    const content = h('div');
    Promise.resolve(fill(content, eatery, status)).then((c) => { cleanup = c; }, console.error);
    return content;
  });
  return () => cleanup?.();
}

// -- my eateries ------------------------------------------------------------------------------

async function eateriesScreen(main) {
  const body = h('div', { class: 'screen-body' });
  main.replaceChildren(ui.pageHeading(t('console_vendor_eateries')), body);
  await ui.loadInto(body, myEateries, ({ items }) => {
    if (!items.length) return ui.emptyState(t('console_vendor_no_eateries'));
    return h('ul', { class: 'cards' }, items.map((eatery) => h('li', { class: 'card eatery-card' },
      h('h2', {}, h('a', { href: `/console/vendor/eateries/${eatery.id}` }, eatery.name_vi),
        eatery.name_en ? h('span', { class: 'secondary', lang: 'en' }, eatery.name_en) : null),
      h('p', { class: 'meta' }, statusBadge(eatery), ' ',
        eatery.rating_count
          ? t('console_rating_line', { stars: eatery.rating.toFixed(1), n: eatery.rating_count })
          : t('no_ratings')),
      h('p', { class: 'meta hours-line' }, t('console_hours_label'), ': ',
        eatery.opening_hours ? h('code', { translate: 'no' }, eatery.opening_hours) : t('hours_unknown')),
      h('ul', { class: 'actions link-actions' },
        h('li', {}, h('a', { class: 'button', href: `/console/vendor/eateries/${eatery.id}` }, t('console_tab_details'))),
        h('li', {}, h('a', { class: 'button', href: `/console/vendor/eateries/${eatery.id}/menu` }, t('console_tab_menu'))),
        h('li', {}, h('a', { class: 'button', href: `/console/vendor/eateries/${eatery.id}/reviews` }, t('console_tab_reviews')))))));
  });
}

// -- one eatery: status, phone, descriptions, hours -------------------------------------------

function statusFieldset(eatery) {
  const base = ui.nextId('status');
  const radios = STATUSES.map((value) => {
    const id = `${base}-${value}`;
    const labels = {
      active: t('console_status_active'),
      temporarily_closed: t('console_status_temporarily_closed'),
      closed: t('console_status_closed'),
    };
    return h('li', { class: 'check' },
      h('input', { type: 'radio', id, name: 'status', value, checked: eatery.status === value }),
      h('label', { for: id }, labels[value]));
  });
  return h('fieldset', { class: 'field status-field', dataset: { field: 'status' } },
    h('legend', {}, t('console_status_label')),
    h('ul', { class: 'radios' }, radios),
    h('p', { class: 'field-error', 'aria-live': 'polite' }));
}

function detailsForm(eatery, { onSaved }) {
  const status = statusFieldset(eatery);
  const until = h('input', { type: 'date', min: localDay(new Date()) });
  until.value = eatery.closed_until || '';
  const untilField = ui.field({ name: 'closed_until', label: t('console_closed_until'), control: until, hint: t('console_closed_until_hint') });
  const phone = h('input', { type: 'tel', autocomplete: 'off', maxlength: 32, inputmode: 'tel' });
  phone.value = eatery.phone || '';
  const descVi = h('textarea', { lang: 'vi', maxlength: 1000, rows: 4 });
  descVi.value = eatery.description_vi || '';
  const descEn = h('textarea', { lang: 'en', maxlength: 1000, rows: 4 });
  descEn.value = eatery.description_en || '';
  const editor = hoursEditor({ value: eatery.opening_hours });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('console_save'));
  const form = h('form', { class: 'eatery-form', novalidate: true },
    h('section', { class: 'card' },
      h('h2', {}, t('console_section_status')),
      status,
      untilField),
    h('section', { class: 'card' },
      h('h2', {}, t('console_section_contact')),
      ui.field({ name: 'phone', label: t('phone'), control: phone, hint: t('console_phone_hint') }),
      ui.field({ name: 'description_vi', label: t('console_description_vi'), control: descVi }),
      ui.field({ name: 'description_en', label: t('console_description_en'), control: descEn })),
    h('section', { class: 'card' }, editor),
    h('div', { class: 'save-bar' }, ui.formError(), submit));

  const chosen = () => form.querySelector('input[name="status"]:checked')?.value || 'active';
  const showUntil = () => { untilField.hidden = chosen() !== 'temporarily_closed'; };
  status.addEventListener('change', showUntil);
  showUntil();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    ui.clearErrors(form);
    const problems = [];
    const value = chosen();
    const hoursProblem = editor.problem();
    if (hoursProblem) problems.push([editor, hoursProblem]);
    if (problems.length) {
      problems.forEach(([el, message]) => ui.setFieldError(el, message));
      problems[0][0].querySelector('input, select, textarea')?.focus();
      announce(t('console_save_failed'));
      return;
    }
    const body = {
      status: value,
      phone: phone.value.trim() || null,
      description_vi: descVi.value.trim() || null,
      description_en: descEn.value.trim() || null,
      opening_hours: editor.value() || null,
    };
    // The last day closed, when known; the API forgets it when the eatery is not closed.
    if (value === 'temporarily_closed') body.closed_until = until.value || null;
    submit.disabled = true;
    try {
      const saved = await api(`/vendor/eateries/${eatery.id}`, { method: 'PATCH', json: body });
      ui.toast(t('console_saved'));
      announce(t('console_saved'));
      onSaved({ ...eatery, ...body, ...saved });
    } catch (error) {
      ui.showErrors(form, error);
    }
    submit.disabled = false;
  });
  form.destroy = () => editor.destroy();
  return form;
}

async function eateryScreen(main, ctx) {
  let form = null;
  const stop = await eateryFrame(main, ctx, 'details', (content, eatery, statusLine) => {
    form = detailsForm(eatery, {
      onSaved: (saved) => statusLine.replaceChildren(statusBadge(saved)),
    });
    content.replaceChildren(form);
  });
  return () => {
    form?.destroy();
    stop();
  };
}

// -- the menu ---------------------------------------------------------------------------------

async function wholeCatalogue() {
  const items = [];
  for (let offset = 0; offset < 2000; offset += 100) {
    const page = await api('/dishes', { params: { limit: 100, offset } });
    items.push(...page.items);
    if (page.items.length < 100) break;
  }
  return items;
}

function priceChart(box, eateryId, row) {
  let chart = null;
  ui.loadInto(box, async () => ({ items: await allPages(`/vendor/eateries/${eateryId}/menu/${encodeURIComponent(row.dish)}/prices`) }), (history) => {
    const points = [...history.items].sort((a, b) => a.valid_from.localeCompare(b.valid_from));
    const holder = h('div', { class: 'price-chart' });
    if (!points.length) return ui.emptyState(t('console_price_history_empty'));
    chart = lineChart(holder, {
      x: points.map((p) => p.valid_from),
      series: [{ label: t('console_price'), values: points.map((p) => p.price_vnd) }],
      caption: t('console_price_history_caption', { dish: row.name_vi }),
      format: ui.formatVnd,
      axisFormat: (v) => ui.groupDigits(v),
      step: true,
      until: new Date(),
    });
    return holder;
  });
  return () => chart?.destroy();
}

function menuEditor(eatery, menu, catalogue) {
  const byslug = new Map(catalogue.map((d) => [d.slug, d]));
  const fromApi = (items) => items.map((item) => ({
    dish: item.dish,
    name_vi: item.name_vi,
    name_en: byslug.get(item.dish)?.name_en || null,
    price: item.price_vnd,
    available: item.available,
    saved: true,
  }));
  let rows = fromApi(menu.items);
  let dirty = false;
  const charts = new Map();

  const list = h('ul', { class: 'menu-edit' });
  const count = h('p', { class: 'meta' });
  const dirtyLine = h('p', { class: 'dirty', role: 'status' });
  const error = ui.formError();
  const submit = h('button', { type: 'submit', class: 'primary' }, t('console_menu_save'));

  const search = h('input', { type: 'search', autocomplete: 'off', maxlength: 100, placeholder: t('console_dish_search_placeholder') });
  const matches = h('ul', { class: 'dish-matches', 'aria-live': 'polite' });

  function markDirty() {
    dirty = true;
    dirtyLine.textContent = t('console_unsaved');
  }

  function rowItem(row, i) {
    const price = ui.priceInput();
    const input = price.querySelector('input');
    input.setAmount(row.price);
    input.addEventListener('input', () => {
      row.price = input.amount();
      markDirty();
      const problem = input.value ? ui.priceProblem(row.price) : null;
      ui.setFieldError(input.closest('[data-field]'), problem);
    });
    const availableId = ui.nextId('available');
    const available = h('input', { type: 'checkbox', id: availableId, checked: row.available });
    available.addEventListener('change', () => {
      row.available = available.checked;
      markDirty();
    });
    const historyId = ui.nextId('history');
    const historyBox = h('div', { class: 'history', id: historyId, hidden: true });
    const historyButton = row.saved ? h('button', {
      type: 'button', 'aria-expanded': 'false', 'aria-controls': historyId,
      onclick: () => {
        const open = historyBox.hidden;
        historyBox.hidden = !open;
        historyButton.setAttribute('aria-expanded', String(open));
        if (open && !charts.has(row.dish)) charts.set(row.dish, priceChart(historyBox, eatery.id, row));
      },
    }, t('console_price_history'), h('span', { class: 'visually-hidden' }, ` ${row.name_vi}`)) : null;
    return h('li', { class: 'card menu-row', dataset: { field: `items.${i}`, dish: row.dish } },
      h('h3', {}, names(row), row.saved ? null : h('span', { class: 'badge badge-unknown' }, t('console_new_dish'))),
      h('div', { class: 'menu-row-controls' },
        ui.field({
          name: `items.${i}.price_vnd`,
          label: [t('console_price'), h('span', { class: 'visually-hidden' }, ` ${row.name_vi}`)],
          control: price,
        }),
        h('p', { class: 'check available' }, available, h('label', { for: availableId },
          t('console_available'), h('span', { class: 'visually-hidden' }, ` ${row.name_vi}`)))),
      h('div', { class: 'actions' },
        historyButton,
        h('button', {
          type: 'button', class: 'danger-quiet',
          onclick: () => {
            rows.splice(rows.indexOf(row), 1);
            charts.get(row.dish)?.();
            charts.delete(row.dish);
            markDirty();
            draw();
            ui.toast(t('console_dish_removed', { dish: row.name_vi }));
            search.focus();
          },
        }, t('console_remove'), h('span', { class: 'visually-hidden' }, ` ${row.name_vi}`))),
      historyBox,
      h('p', { class: 'field-error row-error', 'aria-live': 'polite' }));
  }

  function draw() {
    list.replaceChildren(...rows.map(rowItem));
    count.textContent = t('console_menu_count', { n: rows.length });
    if (!rows.length) list.append(h('li', {}, ui.emptyState(t('menu_empty'))));
    showMatches();
  }

  function showMatches() {
    const query = ui.fold(search.value);
    if (!query) {
      matches.replaceChildren();
      return;
    }
    const onMenu = new Set(rows.map((r) => r.dish));
    const found = catalogue.filter((d) => !onMenu.has(d.slug) && [d.name_vi, d.name_en, d.slug, ...(d.aliases || [])]
      .some((name) => ui.fold(name).includes(query)));
    if (!found.length) {
      matches.replaceChildren(h('li', { class: 'hint' }, t('console_dish_no_match')));
      return;
    }
    ui.fill(matches, ...found.slice(0, MAX_MATCHES).map((dish) => h('li', { class: 'dish-match' },
      names(dish),
      h('button', {
        type: 'button',
        onclick: () => {
          rows.push({ dish: dish.slug, name_vi: dish.name_vi, name_en: dish.name_en, price: null, available: true, saved: false });
          markDirty();
          search.value = '';
          draw();
          announce(t('console_dish_added', { dish: dish.name_vi }));
          list.querySelector(`[data-dish="${CSS.escape(dish.slug)}"] input`)?.focus();
        },
      }, t('console_add'), h('span', { class: 'visually-hidden' }, ` ${dish.name_vi}`))),
    found.length > MAX_MATCHES ? h('li', { class: 'hint' }, t('console_dish_more', { n: found.length - MAX_MATCHES })) : null));
  }
  search.addEventListener('input', debounce(showMatches, 120));

  const form = h('form', { class: 'menu-form', novalidate: true },
    h('section', { class: 'card add-dish' },
      h('h2', {}, t('console_add_dish')),
      ui.field({ name: 'dish_search', label: t('console_dish_search'), control: search, hint: t('console_dish_search_hint') }),
      matches),
    h('section', {},
      h('h2', {}, t('console_tab_menu')),
      count,
      list),
    h('div', { class: 'save-bar' }, dirtyLine, error, submit));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    ui.clearErrors(form);
    let first = null;
    rows.forEach((row, i) => {
      const problem = ui.priceProblem(row.price);
      if (!problem) return;
      const fieldEl = form.querySelector(`[data-field="items.${i}.price_vnd"]`);
      ui.setFieldError(fieldEl, problem);
      first ??= fieldEl;
    });
    if (first) {
      first.querySelector('input').focus();
      error.textContent = t('console_fix_fields');
      announce(t('console_save_failed'));
      return;
    }
    submit.disabled = true;
    try {
      const saved = await api(`/vendor/eateries/${eatery.id}/menu`, {
        method: 'PUT',
        json: { items: rows.map((r) => ({ dish: r.dish, price_vnd: r.price, available: r.available })) },
      });
      rows = fromApi(saved.items);
      charts.forEach((destroy) => destroy());
      charts.clear();
      dirty = false;
      dirtyLine.textContent = '';
      draw();
      ui.toast(t('console_menu_saved'));
      announce(t('console_menu_saved'));
    } catch (problem) {
      ui.showErrors(form, problem);
    }
    submit.disabled = false;
  });

  const beforeUnload = (event) => {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = '';
  };
  window.addEventListener('beforeunload', beforeUnload);
  draw();
  form.destroy = () => {
    window.removeEventListener('beforeunload', beforeUnload);
    charts.forEach((destroy) => destroy());
  };
  return form;
}

async function menuScreen(main, ctx) {
  let form = null;
  const stop = await eateryFrame(main, ctx, 'menu', async (content, eatery) => {
    await ui.loadInto(content,
      () => Promise.all([wholeMenu(eatery.id), wholeCatalogue()]),
      ([menu, catalogue]) => {
        form = menuEditor(eatery, menu, catalogue);
        return form;
      });
  });
  return () => {
    form?.destroy();
    stop();
  };
}

// -- reviews ----------------------------------------------------------------------------------

function replyForm(review) {
  const text = h('textarea', { maxlength: 2000, rows: 3, required: true });
  text.value = review.response || '';
  const submit = h('button', { type: 'submit', class: 'primary' }, review.response ? t('console_reply_update') : t('console_reply_send'));
  const done = h('p', { class: 'meta reply-state' },
    review.response_at ? t('console_replied_at', { when: formatDateTime(review.response_at) }) : '');
  const form = h('form', { class: 'reply-form', novalidate: true },
    ui.field({ name: 'text', label: t('console_reply_label'), control: text, hint: t('console_reply_hint') }),
    ui.formError(),
    h('div', { class: 'form-actions' }, submit, done));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    ui.clearErrors(form);
    if (!text.value.trim()) {
      ui.setFieldError(form.querySelector('[data-field="text"]'), t('console_required'));
      text.focus();
      return;
    }
    submit.disabled = true;
    try {
      const answer = await api(`/reviews/${review.id}/response`, { method: 'PUT', json: { text: text.value.trim() } });
      review.response = text.value.trim();
      const at = answer?.response_at || new Date().toISOString();
      done.textContent = t('console_replied_at', { when: formatDateTime(at) });
      submit.textContent = t('console_reply_update');
      ui.toast(t('console_reply_saved'));
    } catch (error) {
      ui.showErrors(form, error);
    }
    submit.disabled = false;
  });
  return form;
}

function reviewCard(review, dishNames) {
  const dishes = Object.entries(review.dish_ratings || {});
  return h('li', { class: 'card review' },
    h('p', { class: 'review-head' },
      h('strong', {}, review.author), ' · ',
      h('span', { role: 'img', 'aria-label': t('stars_aria', { n: review.rating }) }, '★'.repeat(review.rating)), ' · ',
      h('time', { datetime: review.submitted_at }, formatDateTime(review.submitted_at))),
    review.text ? h('p', { class: 'review-text' }, review.text) : h('p', { class: 'hint' }, t('console_review_no_text')),
    dishes.length ? h('p', { class: 'review-dishes' }, dishes
      .map(([slug, stars]) => `${dishNames[slug] || slug} ${'★'.repeat(stars)}`).join(' · ')) : null,
    replyForm(review));
}

async function reviewsScreen(main, ctx) {
  const limit = 20;
  return eateryFrame(main, ctx, 'reviews', async (content, eatery) => {
    let shown = 0;
    let cursor = null;
    let dishNames = {};
    const list = h('ol', { class: 'reviews' });
    const more = h('button', { type: 'button', class: 'more', hidden: true }, t('load_more'));
    const box = h('div');
    content.replaceChildren(h('h2', {}, t('console_tab_reviews')), h('p', { class: 'hint' }, t('console_reviews_hint')), box, more);
    const page = async () => {
      const answer = await api(`/eateries/${eatery.id}/reviews`, { params: { limit, ...(cursor ? { cursor } : {}) } });
      shown += answer.items.length;
      cursor = answer.next_cursor;
      more.hidden = !cursor;
      return answer.items;
    };
    await ui.loadInto(box, async () => {
      const [items, menu] = await Promise.all([page(), wholeMenu(eatery.id).catch(() => ({ items: [] }))]);
      dishNames = Object.fromEntries(menu.items.map((m) => [m.dish, m.name_vi]));
      return items;
    }, (items) => {
      if (!items.length) return ui.emptyState(t('reviews_none'));
      list.replaceChildren(...items.map((r) => reviewCard(r, dishNames)));
      return list;
    });
    more.addEventListener('click', async () => {
      more.disabled = true;
      try {
        const items = await page();
        list.append(...items.map((r) => reviewCard(r, dishNames)));
        list.children[shown - items.length]?.querySelector('textarea')?.focus();
      } catch (error) {
        ui.toast(ui.errorMessage(error), { kind: 'error' });
      }
      more.disabled = false;
    });
  });
}

// -- QR codes ---------------------------------------------------------------------------------

function downloadButton(code, format, text, query = '') {
  const button = h('button', { type: 'button' }, text);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const suffix = query ? `-${query.split('=')[1]}` : '';
      await ui.download(`/qr-codes/${code.code}.${format}${query ? `?${query}` : ''}`, `qr-${code.code}${suffix}.${format}`);
      announce(t('console_downloaded'));
    } catch (error) {
      ui.toast(ui.errorMessage(error), { kind: 'error' });
    }
    button.disabled = false;
  });
  return button;
}

function qrCard(code, charts) {
  const chartBox = h('div', { class: 'scan-chart' });
  const activeBadge = h('span', { class: `badge ${code.active ? 'badge-open' : 'badge-closed'}` },
    code.active ? t('console_qr_active') : t('console_qr_inactive'));
  const toggle = h('button', { type: 'button' }, code.active ? t('console_qr_turn_off') : t('console_qr_turn_on'));
  toggle.addEventListener('click', async () => {
    const turningOff = code.active;
    if (turningOff && !(await ui.confirmDialog({
      title: t('console_qr_turn_off_title'), text: t('console_qr_turn_off_text'), confirm: t('console_qr_turn_off'), danger: true,
    }))) return;
    toggle.disabled = true;
    try {
      const saved = await api(`/qr-codes/${code.code}`, { method: 'PATCH', json: { active: !code.active } });
      code.active = saved.active;
      activeBadge.className = `badge ${code.active ? 'badge-open' : 'badge-closed'}`;
      activeBadge.textContent = code.active ? t('console_qr_active') : t('console_qr_inactive');
      toggle.textContent = code.active ? t('console_qr_turn_off') : t('console_qr_turn_on');
      ui.toast(code.active ? t('console_qr_turned_on') : t('console_qr_turned_off'));
    } catch (error) {
      ui.toast(ui.errorMessage(error), { kind: 'error' });
    }
    toggle.disabled = false;
  });
  ui.loadInto(chartBox, () => api(`/qr-codes/${code.code}/stats`), (stats) => {
    const holder = h('div');
    charts.push(lineChart(holder, {
      x: stats.by_day.map((d) => d.date),
      series: [{ label: t('console_scans'), values: stats.by_day.map((d) => d.scans) }],
      caption: t('console_scans_caption', { n: stats.in_range }),
      format: (v) => new Intl.NumberFormat().format(v),
      integer: true,
    }));
    return holder;
  });
  return h('li', { class: 'card qr-card' },
    h('h2', {}, code.target?.name || code.code),
    h('p', { class: 'meta' }, activeBadge, ' ', t('console_qr_campaign', { campaign: code.campaign }),
      code.placement ? ` · ${code.placement}` : ''),
    h('p', { class: 'meta' }, t('console_qr_total', { n: code.scans }), ' · ',
      h('code', { translate: 'no', class: 'short-url' }, code.short_url)),
    chartBox,
    h('div', { class: 'actions downloads', role: 'group', 'aria-label': t('console_qr_downloads', { code: code.code }) },
      downloadButton(code, 'png', t('console_download_png')),
      downloadButton(code, 'svg', t('console_download_svg')),
      downloadButton(code, 'pdf', t('console_download_pdf_a6'), 'paper=a6'),
      downloadButton(code, 'pdf', t('console_download_pdf_a4'), 'paper=a4'),
      toggle));
}

async function qrScreen(main) {
  const charts = [];
  const body = h('div', { class: 'screen-body' });
  main.replaceChildren(ui.pageHeading(t('console_vendor_qr'), { lead: t('console_qr_lead') }), body);
  await ui.loadInto(body, () => api('/qr-codes', { params: { limit: 100 } }), ({ items }) => {
    if (!items.length) return ui.emptyState(t('console_qr_none'));
    return h('ul', { class: 'cards' }, items.map((code) => qrCard(code, charts)));
  });
  return () => charts.forEach((c) => c.destroy());
}

// -- the module's interface -------------------------------------------------------------------

export const screens = [
  { path: /^\/console\/vendor$/, roles: ['vendor'], title: 'console_vendor_eateries', render: eateriesScreen },
  { path: new RegExp(`^/console/vendor/eateries/${ID}$`), roles: ['vendor'], title: 'console_vendor_eatery', render: eateryScreen },
  { path: new RegExp(`^/console/vendor/eateries/${ID}/menu$`), roles: ['vendor'], title: 'console_tab_menu', render: menuScreen },
  { path: new RegExp(`^/console/vendor/eateries/${ID}/reviews$`), roles: ['vendor'], title: 'console_tab_reviews', render: reviewsScreen },
  { path: /^\/console\/vendor\/qr$/, roles: ['vendor'], title: 'console_vendor_qr', render: qrScreen },
];

export function homeCards(ctx) {
  if (ctx.user.role !== 'vendor') return [];
  return [
    {
      title: 'console_vendor_eateries',
      href: '/console/vendor',
      count: ctx.api('/vendor/eateries', { params: { limit: 1 } }).then((d) => d.total),
      countLabel: 'console_count_eateries',
    },
    {
      title: 'console_vendor_qr',
      href: '/console/vendor/qr',
      count: ctx.api('/qr-codes', { params: { limit: 1 } }).then((d) => d.total),
      countLabel: 'console_count_codes',
    },
  ];
}

// The tourism department's screens (admins): accounts, eateries, dishes, QR campaigns and the
// audit log. Every form keeps what was typed when a save fails and shows each error beside
// its field; the API enforces the roles whatever the page shows.
import { ApiError, api } from '../api.js';
import { announce, debounce, h } from '../dom.js';
import { formatDate, formatDateTime, localName, t } from '../i18n.js';
import { CITY_CENTRE, createMap, feature } from '../map.js';
import { lineChart } from './chart.js';
import { hoursEditor } from './hours-editor.js';
import {
  clearErrors, confirmDialog, dataTable, download, emptyState, errorMessage, errorState, field as uiField,
  fold, loadingState, nextId, pageHeading, showErrors, toast,
} from './ui.js';

const ADMIN = ['admin'];
const STAFF_ROLES = ['vendor', 'moderator', 'admin', 'operator'];
const ALL_ROLES = ['tourist', ...STAFF_ROLES];
// Vietnam's bounding box, as the API checks it (lon 102.14..109.47, lat 8.38..23.39).
const BOUNDS = { lat: [8.38, 23.39], lon: [102.14, 109.47] };
const PAGE = 50;

// -- words: every value the API sends that a person reads --------------------------------------

// Words for the values the API sends: `console_admin_<group>_<value>` in the i18n files.
const WORDS = {
  role: ALL_ROLES,
  kind: ['restaurant', 'street_food', 'cafe', 'market_stall', 'bakery', 'seafood_restaurant', 'dessert_shop'],
  status: ['active', 'temporarily_closed', 'closed'],
  category: ['noodle_soup', 'noodles', 'rice', 'bread', 'rolls', 'street_snack', 'seafood', 'hotpot', 'dumplings', 'dessert', 'drink', 'grill'],
  target: ['search', 'dish', 'eatery', 'station', 'tour'],
  client: ['ios', 'android', 'desktop', 'bot', 'other'],
  entity: ['eatery', 'dish', 'review', 'user', 'qr_code', 'bike_station_status'],
};
const named = (group, value) => (
  WORDS[group].includes(value) ? t(`console_admin_${group}_${value}`) : value);

// One page of a searchable list: the count (`total`: every match), the items or the empty
// state, and "show more" while the answer has a `next_cursor`.
function showPage(results, { list, data, more, load, countKey, noneKey }) {
  if (!more) {
    results.replaceChildren(
      h('p', { class: 'result-count' }, t(countKey, { n: data.total })),
      data.items.length ? list : emptyState(t(noneKey)));
    announce(t(countKey, { n: data.total }));
  }
  results.querySelector('.more')?.remove();
  if (data.next_cursor) results.append(moreButton(() => load(true)));
}

export function homeCards(ctx) {
  if (ctx.user.role !== 'admin') return [];
  return [
    { title: 'console_admin_nav_users', href: '/console/admin/users' },
    { title: 'console_admin_nav_eateries', href: '/console/admin/eateries' },
    { title: 'console_admin_nav_dishes', href: '/console/admin/dishes' },
    { title: 'console_admin_nav_qr', href: '/console/admin/qr' },
    { title: 'console_admin_nav_audit', href: '/console/admin/audit' },
  ];
}

// -- small pieces -------------------------------------------------------------------------------

// The screen's heading (with a way back from an editor) and the box its content goes in.
function frame(main, title, back) {
  const body = h('div', { class: 'admin-body' });
  main.replaceChildren(pageHeading(title, back ? { back } : {}), body);
  return body;
}

// A labelled control with a hint and its error slot beside it; `name` is the API's field name
// (showErrors finds the slot by it), the control's own name by default.
function field(label, control, { hint, name } = {}) {
  return uiField({ name: name || control.name, label, control, hint });
}

// A group of fields the API names as one (`location`, `eatery_ids`): its error slot comes
// first, and each control inside is described by it too.
function group(name, legend, ...children) {
  const errorId = `${nextId('group')}-error`;
  const box = h('fieldset', { class: 'group', dataset: { field: name } },
    h('legend', {}, legend),
    h('p', { class: 'field-error', id: errorId, 'aria-live': 'polite' }),
    ...children);
  for (const control of box.querySelectorAll('input, select, textarea')) {
    const described = control.getAttribute('aria-describedby');
    control.setAttribute('aria-describedby', described ? `${described} ${errorId}` : errorId);
  }
  return box;
}

const input = (name, attrs = {}) => h('input', { name, type: 'text', autocomplete: 'off', ...attrs });
const textarea = (name, attrs = {}) => h('textarea', { name, rows: 3, ...attrs });

function select(name, options, { value = '', blank = null, attrs = {} } = {}) {
  const el = h('select', { name, ...attrs },
    blank === null ? null : h('option', { value: '' }, blank),
    options.map(([v, label]) => h('option', { value: v }, label)));
  el.value = value ?? '';
  return el;
}

const value = (form, name) => form.elements.namedItem(name)?.value.trim() ?? '';
const orNull = (text) => (text === '' ? null : text);

// The schema's usual sentences (written in English by the API) in the reader's language;
// a sentence of the domain's own passes as it is.
const MESSAGES = [
  [/^Field required$/, () => t('console_admin_err_required')],
  [/^String should have at least (\d+) characters?$/, (n) => t('console_admin_err_min_length', { n })],
  [/^String should have at most (\d+) characters?$/, (n) => t('console_admin_err_max_length', { n })],
  [/^String should match pattern/, () => t('console_admin_err_pattern')],
  [/^Input should be '.*' or '.*'$/, () => t('console_admin_err_choice')],
  [/not a valid email address/, () => t('console_admin_err_email')],
  [/Vietnam/, () => t('console_admin_err_location')],
];

function inOurWords(message) {
  for (const [pattern, say] of MESSAGES) {
    const found = pattern.exec(message || '');
    if (found) return say(...found.slice(1));
  }
  return message;
}

// Each error beside its field, in the reader's language. A conflict is the slug (or the
// e-mail) already taken.
function placeErrors(form, problem, conflictField = 'slug') {
  if (problem instanceof ApiError && problem.status === 409) {
    const field = problem.fields[0]?.field || conflictField;
    const taken = field === 'email' ? t('console_admin_err_email_taken') : t('console_admin_err_slug_taken');
    problem.fields = [{ field, message: taken }];
  } else if (problem instanceof ApiError) {
    problem.fields = problem.fields.map((f) => ({ ...f, message: inOurWords(f.message) }));
  }
  showErrors(form, problem);
}

// A mistake found before sending, shown like the API's.
function localError(form, fieldName, message) {
  showErrors(form, new ApiError(422, { error: { message, details: [{ field: fieldName, message }] } }));
}

async function submitting(form, work) {
  const button = form.querySelector('button[type="submit"]');
  if (button) button.disabled = true;
  form.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    if (button) button.disabled = false;
    form.removeAttribute('aria-busy');
  }
}

// A file made in the browser (the CSV export), saved through an object URL.
function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function moreButton(onclick) {
  return h('button', { type: 'button', class: 'more', onclick }, t('console_admin_more'));
}

// -- accounts ---------------------------------------------------------------------------------

async function renderUsers(main, ctx) {
  const body = frame(main, t('console_admin_users_title'));
  const params = new URLSearchParams(window.location.search);
  const q = input('q', { type: 'search', value: params.get('q') || '', maxlength: 100, enterkeyhint: 'search' });
  const role = select('role', ALL_ROLES.map((r) => [r, named('role', r)]),
    { value: params.get('role') || '', blank: t('console_admin_all_roles') });
  const search = h('form', { class: 'toolbar admin-filters', role: 'search' },
    field(t('console_admin_users_search'), q, { hint: t('console_admin_users_search_hint') }),
    field(t('console_admin_role'), role),
    h('p', { class: 'filter-submit' }, h('button', { type: 'submit', class: 'primary' }, t('console_admin_search'))));
  const results = h('div', { class: 'admin-results' });
  body.append(
    search, results,
    h('section', { class: 'admin-create', 'aria-labelledby': 'new-account-title' },
      h('h2', { id: 'new-account-title' }, t('console_admin_users_new')),
      newAccountForm(() => load())),
  );
  search.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (q.value.trim()) next.set('q', q.value.trim());
    if (role.value) next.set('role', role.value);
    window.history.replaceState({}, '', `/console/admin/users${next.size ? `?${next}` : ''}`);
    load();
  });

  let cursor = null;
  async function load(more = false) {
    if (!more) {
      cursor = null;
      results.replaceChildren(loadingState());
    }
    let data;
    try {
      data = await api('/admin/users', { params: { q: q.value.trim(), role: role.value, limit: PAGE, cursor } });
    } catch (problem) {
      results.replaceChildren(errorState(problem, () => load()));
      return;
    }
    const list = more ? results.querySelector('.admin-list') : h('ul', { class: 'cards admin-list' });
    list.append(...data.items.map((user) => userCard(ctx, user)));
    cursor = data.next_cursor;
    showPage(results, {
      list, data, more, load,
      countKey: 'console_admin_users_count', noneKey: 'console_admin_users_none',
    });
  }
  await load();
}

function userCard(ctx, user) {
  const card = h('li', { class: 'card admin-item', dataset: { userId: user.id } });
  const self = user.id === ctx.user.id;
  function draw() {
    card.classList.toggle('is-disabled', !user.is_active);
    card.replaceChildren(
      h('h3', {}, user.display_name),
      h('p', { class: 'meta' }, h('span', { translate: 'no' }, user.email)),
      h('p', { class: 'meta' },
        h('span', { class: 'badge badge-role' }, named('role', user.role)), ' ',
        user.is_active
          ? h('span', { class: 'badge badge-open' }, t('console_admin_active'))
          : h('span', { class: 'badge badge-closed' }, t('console_admin_disabled')),
        user.role === 'vendor' ? [' · ', t('console_admin_vendor_eateries_n', { n: user.eatery_ids.length })] : null,
        user.created_at ? [' · ', t('console_admin_created', { date: formatDate(user.created_at) })] : null),
      h('div', { class: 'actions' },
        user.role === 'vendor'
          ? h('button', { type: 'button', onclick: () => assignDialog(user, draw) },
            t('console_admin_assign_eateries'), h('span', { class: 'visually-hidden' }, ` — ${user.display_name}`))
          : null,
        self ? null : h('button', {
          type: 'button', class: user.is_active ? 'danger-quiet' : null, onclick: toggle,
        }, user.is_active ? t('console_admin_disable') : t('console_admin_enable'),
        h('span', { class: 'visually-hidden' }, ` — ${user.display_name}`))));
  }
  async function toggle() {
    const disabling = user.is_active;
    if (disabling) {
      const ok = await confirmDialog({
        title: t('console_admin_disable_title', { name: user.display_name }),
        text: t('console_admin_disable_text'),
        confirm: t('console_admin_disable'),
        danger: true,
      });
      if (!ok) return;
    }
    try {
      const answer = await api(`/admin/users/${user.id}/${disabling ? 'disable' : 'enable'}`, { method: 'POST' });
      Object.assign(user, answer);
      draw();
      toast(disabling ? t('console_admin_disabled_done', { name: user.display_name })
        : t('console_admin_enabled_done', { name: user.display_name }));
      card.querySelector('.actions button:last-child')?.focus();
    } catch (problem) {
      toast(errorMessage(problem), { kind: 'error' });
    }
  }
  draw();
  return card;
}

function newAccountForm(onCreated) {
  const role = select('role', STAFF_ROLES.map((r) => [r, named('role', r)]), { value: 'vendor' });
  const picker = eateryPicker({ legend: t('console_admin_vendor_eateries') });
  const pickerBox = picker.element;
  const form = h('form', { class: 'admin-form', novalidate: true },
    field(t('console_admin_display_name'), input('display_name', { maxlength: 80, autocomplete: 'off' }),
      { hint: t('console_admin_display_name_hint') }),
    field(t('console_admin_email'), input('email', { type: 'email', maxlength: 254, autocomplete: 'off' })),
    field(t('console_admin_password'), input('password', { type: 'password', maxlength: 128, autocomplete: 'new-password' }),
      { hint: t('console_admin_password_hint') }),
    field(t('console_admin_role'), role),
    pickerBox,
    h('p', { class: 'form-error', role: 'alert' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('console_admin_create_account'))));
  const showPicker = () => { pickerBox.hidden = role.value !== 'vendor'; };
  role.addEventListener('change', showPicker);
  showPicker();
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(form);
    submitting(form, async () => {
      const json = {
        display_name: value(form, 'display_name'),
        email: value(form, 'email'),
        password: form.elements.namedItem('password').value,
        role: role.value,
        eatery_ids: role.value === 'vendor' ? picker.ids() : [],
      };
      try {
        const user = await api('/admin/users', { method: 'POST', json });
        toast(t('console_admin_account_created', { name: user.display_name }));
        form.reset();
        picker.set([]);
        showPicker();
        onCreated(user);
      } catch (problem) {
        placeErrors(form, problem, 'email');
      }
    });
  });
  return form;
}

// Pick eateries by searching the catalogue; `ids()` are the chosen ones. `name` is the API's
// field the errors come back under.
function eateryPicker({ legend, name = 'eatery_ids', selected = [], single = false }) {
  const base = nextId('picker');
  let chosen = [...selected];
  const chosenList = h('ul', { class: 'picker-chosen' });
  const results = h('ul', { class: 'picker-results' });
  const status = h('p', { class: 'hint', role: 'status' });
  const search = input('eatery_search', { type: 'search', id: `${base}-q`, maxlength: 100 });
  const element = group(name, legend,
    chosenList,
    field(t('console_admin_find_eatery'), search, { hint: t('console_admin_find_eatery_hint') }),
    status,
    results);
  element.classList.add('picker');

  function drawChosen() {
    chosenList.replaceChildren(...(chosen.length
      ? chosen.map((e) => h('li', { class: 'picker-item' },
        h('span', {}, e.name || `#${e.id}`),
        h('button', {
          type: 'button', class: 'small', onclick: () => { chosen = chosen.filter((c) => c.id !== e.id); drawChosen(); drawResults(lastItems); },
        }, t('console_admin_remove'), h('span', { class: 'visually-hidden' }, ` ${e.name || e.id}`))))
      : [h('li', { class: 'hint' }, single ? t('console_admin_no_eatery_chosen') : t('console_admin_no_eateries_chosen'))]));
  }
  let lastItems = [];
  function drawResults(items) {
    lastItems = items;
    results.replaceChildren(...items.map((e) => {
      const taken = chosen.some((c) => c.id === e.id);
      const name = localName(e);
      return h('li', { class: 'picker-item' },
        h('span', {}, name, h('span', { class: 'secondary' }, e.address || '')),
        h('button', {
          type: 'button', class: 'small', disabled: taken,
          onclick: () => {
            const entry = { id: e.id, name };
            chosen = single ? [entry] : [...chosen, entry];
            drawChosen();
            drawResults(items);
            announce(t('console_admin_eatery_added', { name }));
          },
        }, taken ? t('console_admin_added') : t('console_admin_add'), h('span', { class: 'visually-hidden' }, ` ${name}`)));
    }));
  }
  const find = debounce(async () => {
    const q = search.value.trim();
    if (!q) {
      drawResults([]);
      status.textContent = '';
      return;
    }
    try {
      const data = await api('/admin/eateries', { params: { q, limit: 8 } });
      drawResults(data.items);
      status.textContent = data.items.length ? t('console_admin_found_n', { n: data.items.length }) : t('console_admin_found_none');
    } catch (problem) {
      status.textContent = errorMessage(problem);
    }
  }, 250);
  search.addEventListener('input', find);
  // Enter searches at once instead of sending the form around the picker.
  search.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      find();
    }
  });
  drawChosen();
  return {
    element,
    ids: () => chosen.map((e) => e.id),
    chosen: () => chosen,
    set(list) {
      chosen = [...list];
      drawChosen();
      search.value = '';
      drawResults([]);
    },
  };
}

async function eateryNames(ids) {
  return Promise.all(ids.map(async (id) => {
    try {
      const e = await api(`/eateries/${id}`);
      return { id, name: localName(e) };
    } catch {
      return { id, name: `#${id}` };
    }
  }));
}

async function assignDialog(user, redraw) {
  const picker = eateryPicker({ legend: t('console_admin_vendor_eateries'), selected: await eateryNames(user.eatery_ids) });
  const titleId = `assign-${user.id}-title`;
  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h('form', { method: 'dialog', class: 'admin-form' },
    h('h2', { id: titleId }, t('console_admin_assign_title', { name: user.display_name })),
    picker.element,
    error,
    h('div', { class: 'dialog-actions' },
      h('button', { type: 'submit', class: 'primary' }, t('console_admin_save')),
      h('button', { type: 'button', onclick: () => dialog.close() }, t('console_admin_cancel'))));
  const dialog = h('dialog', { class: 'admin-dialog', 'aria-labelledby': titleId }, form);
  const opener = document.activeElement;
  document.body.append(dialog);
  dialog.addEventListener('close', () => {
    dialog.remove();
    opener?.focus?.();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.textContent = '';
    submitting(form, async () => {
      try {
        const answer = await api(`/admin/vendors/${user.id}/eateries`, { method: 'PUT', json: { eatery_ids: picker.ids() } });
        Object.assign(user, answer);
        redraw();
        toast(t('console_admin_assigned', { name: user.display_name, n: user.eatery_ids.length }));
        dialog.close();
      } catch (problem) {
        error.textContent = problem.fields?.[0]?.message || errorMessage(problem);
      }
    });
  });
  dialog.showModal();
  form.querySelector('input[type="search"]')?.focus();
}

// -- eateries ---------------------------------------------------------------------------------

async function renderEateries(main, ctx) {
  const body = frame(main, t('console_admin_eateries_title'));
  const params = new URLSearchParams(window.location.search);
  const q = input('q', { type: 'search', value: params.get('q') || '', maxlength: 100, enterkeyhint: 'search' });
  const search = h('form', { class: 'toolbar admin-filters', role: 'search' },
    field(t('console_admin_eateries_search'), q),
    h('p', { class: 'filter-submit' }, h('button', { type: 'submit', class: 'primary' }, t('console_admin_search'))));
  const results = h('div', { class: 'admin-results' });
  body.append(
    h('p', { class: 'actions' }, h('a', { href: '/console/admin/eateries/new', class: 'button primary' }, t('console_admin_eatery_new'))),
    search, results);
  let cursor = null;
  async function load(more = false) {
    if (!more) {
      cursor = null;
      results.replaceChildren(loadingState());
    }
    let data;
    try {
      data = await api('/admin/eateries', { params: { q: q.value.trim(), limit: PAGE, cursor } });
    } catch (problem) {
      results.replaceChildren(errorState(problem, () => load()));
      return;
    }
    const list = more ? results.querySelector('.admin-list') : h('ul', { class: 'cards admin-list' });
    list.append(...data.items.map((e) => h('li', { class: 'card admin-item' },
      h('h3', {}, h('a', { href: `/console/admin/eateries/${e.id}` }, localName(e))),
      h('p', { class: 'meta' }, e.address || ''),
      h('p', { class: 'meta' }, h('span', { class: e.status === 'active' ? 'badge badge-open' : 'badge badge-closed' },
        named('status', e.status)), ' · ', h('span', { translate: 'no' }, e.slug)))));
    cursor = data.next_cursor;
    showPage(results, {
      list, data, more, load,
      countKey: 'console_admin_eateries_count', noneKey: 'console_admin_eateries_none',
    });
  }
  search.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = q.value.trim() ? `?${new URLSearchParams({ q: q.value.trim() })}` : '';
    window.history.replaceState({}, '', `/console/admin/eateries${next}`);
    load();
  });
  await load();
}

const sameValue = (a, b) => (a ?? '') === (b ?? '');
const closures = new Map(); // eatery id -> closed_until, from this session's saves

async function renderEateryEditor(main, ctx) {
  const id = window.location.pathname.match(/\/console\/admin\/eateries\/(\d+)/)?.[1];
  const creating = !id;
  const body = frame(main, creating ? t('console_admin_eatery_new') : t('console_admin_eatery_edit'),
    { href: '/console/admin/eateries', text: t('console_admin_eateries_title') });
  let eatery = null;
  if (!creating) {
    body.replaceChildren(loadingState());
    try {
      eatery = await api(`/eateries/${id}`);
      // The public detail has no closed_until; the admin's answers do (kept from the last save).
      if (eatery.closed_until === undefined) eatery.closed_until = closures.get(String(id)) ?? null;
    } catch (problem) {
      body.replaceChildren(errorState(problem, () => renderEateryEditor(main, ctx)));
      return undefined;
    }
    main.querySelector('h1').textContent = t('console_admin_eatery_edit_name', { name: eatery.name_vi });
    document.title = `${eatery.name_vi} · ${t('console_admin_eateries_title')}`;
  }
  const e = eatery || {};
  const [lon0, lat0] = e.location?.coordinates ?? [null, null];
  const status = select('status', WORDS.status.map((s) => [s, named('status', s)]), { value: e.status || 'active' });
  const closedUntil = input('closed_until', { type: 'date', value: e.closed_until || '' });
  const closedUntilField = field(t('console_admin_closed_until'), closedUntil, { hint: t('console_admin_closed_until_hint') });
  const lat = input('lat', {
    type: 'number', step: 'any', inputmode: 'decimal', min: BOUNDS.lat[0], max: BOUNDS.lat[1], value: lat0 ?? '',
  });
  const lon = input('lon', {
    type: 'number', step: 'any', inputmode: 'decimal', min: BOUNDS.lon[0], max: BOUNDS.lon[1], value: lon0 ?? '',
  });
  const mapBox = h('div', { class: 'map admin-map', id: 'eatery-map' });
  const hours = hoursEditor({ value: e.opening_hours || '', name: 'opening_hours' });
  hours.classList.add('admin-hours');
  const form = h('form', { class: 'admin-form eatery-form', novalidate: true },
    h('fieldset', {},
      h('legend', {}, t('console_admin_eatery_names')),
      field(t('console_admin_name_vi'), input('name_vi', { value: e.name_vi || '', maxlength: 200, lang: 'vi' })),
      field(t('console_admin_name_en'), input('name_en', { value: e.name_en || '', maxlength: 200, lang: 'en' })),
      creating ? field(t('console_admin_slug'), input('slug', { maxlength: 100, pattern: '[a-z0-9-]+' }), { hint: t('console_admin_slug_hint') })
        : h('p', { class: 'meta' }, t('console_admin_slug'), ': ', h('span', { translate: 'no' }, e.slug)),
      field(t('console_admin_kind'), select('kind', WORDS.kind.map((k) => [k, named('kind', k)]),
        { value: e.kind || '', blank: t('console_admin_choose') }))),
    h('fieldset', {},
      h('legend', {}, t('console_admin_eatery_place')),
      field(t('console_admin_address'), input('address', { value: e.address || '', maxlength: 300 })),
      field(t('console_admin_ward'), input('ward', { value: e.ward || '', maxlength: 100 })),
      field(t('console_admin_district'), input('district', { value: e.district || '', maxlength: 100 })),
      field(t('console_admin_phone'), input('phone', { type: 'tel', value: e.phone || '', maxlength: 40, autocomplete: 'off' }))),
    group('location', t('console_admin_position'),
      h('p', { class: 'hint' }, t('console_admin_position_hint')),
      h('div', { class: 'latlon' },
        field(t('console_admin_lat'), lat),
        field(t('console_admin_lon'), lon)),
      mapBox),
    h('fieldset', {},
      h('legend', {}, t('console_admin_descriptions')),
      field(t('console_admin_description_vi'), textarea('description_vi', { maxlength: 2000, lang: 'vi' })),
      field(t('console_admin_description_en'), textarea('description_en', { maxlength: 2000, lang: 'en' }))),
    h('div', { class: 'admin-box' },
      field(t('console_admin_status'), status),
      closedUntilField),
    hours,
    h('p', { class: 'form-error', role: 'alert' }),
    h('div', { class: 'actions form-actions' },
      h('button', { type: 'submit', class: 'primary' }, creating ? t('console_admin_create_eatery') : t('console_admin_save')),
      creating ? null : h('a', { class: 'button', href: `/eateries/${id}`, target: '_blank', rel: 'noopener' },
        t('console_admin_view_public'), h('span', { class: 'visually-hidden' }, ` (${t('console_admin_new_tab')})`)),
      h('a', { href: '/console/admin/eateries', class: 'button' }, t('console_admin_back_to_list'))));
  form.elements.namedItem('description_vi').value = e.description_vi || '';
  form.elements.namedItem('description_en').value = e.description_en || '';
  body.replaceChildren(form);

  const showClosedUntil = () => { closedUntilField.hidden = status.value !== 'temporarily_closed'; };
  status.addEventListener('change', showClosedUntil);
  showClosedUntil();

  // The map: click to place; the two numbers stay the truth and work without it.
  let map = null;
  const position = () => {
    const la = parseFloat(lat.value);
    const lo = parseFloat(lon.value);
    return Number.isFinite(la) && Number.isFinite(lo) ? [lo, la] : null;
  };
  let gone = false; // the screen was left: a late timer or answer must not touch the map
  const mark = () => {
    const at = position();
    if (gone || !map || !at) return;
    map.show({ type: 'FeatureCollection', features: [feature({ type: 'Point', coordinates: at }, { kind: 'here' })] })
      .catch(() => {});
  };
  const center = position() || CITY_CENTRE;
  createMap(mapBox, { center, zoom: position() ? 16 : 13 }).then((handle) => {
    if (gone) handle?.remove();
    if (gone || !handle) return;
    map = handle;
    map.map.getCanvas().setAttribute('aria-label', t('console_admin_map_label'));
    map.map.on('click', (event) => {
      lat.value = event.lngLat.lat.toFixed(6);
      lon.value = event.lngLat.lng.toFixed(6);
      mark();
      announce(t('console_admin_position_set', { lat: lat.value, lon: lon.value }));
    });
    mark();
  });
  const onNumbers = debounce(() => {
    if (gone) return;
    mark();
    const at = position();
    if (map && at) map.map.jumpTo({ center: at });
  }, 300);
  lat.addEventListener('input', onNumbers);
  lon.addEventListener('input', onNumbers);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(form);
    const json = {};
    for (const name of ['name_vi', 'kind', 'address', 'status']) json[name] = value(form, name);
    for (const name of ['name_en', 'ward', 'district', 'phone', 'description_vi', 'description_en']) {
      json[name] = orNull(value(form, name));
    }
    if (creating && value(form, 'slug')) json.slug = value(form, 'slug');
    const hoursProblem = hours.problem();
    if (hoursProblem) {
      localError(form, 'opening_hours', hoursProblem);
      return;
    }
    json.opening_hours = orNull(hours.value().trim());
    if (status.value === 'temporarily_closed') json.closed_until = orNull(closedUntil.value);
    const at = position();
    if (lat.value.trim() || lon.value.trim()) {
      if (!at) {
        localError(form, 'location', t('console_admin_position_both'));
        return;
      }
      json.location = { type: 'Point', coordinates: at };
    }
    // An edit sends what changed: the audit log then shows exactly that.
    if (!creating) {
      for (const name of Object.keys(json)) {
        if (name === 'location') {
          const [a, b] = e.location?.coordinates ?? [];
          if (Math.abs(a - at[0]) < 1e-7 && Math.abs(b - at[1]) < 1e-7) delete json.location;
        } else if (sameValue(json[name], e[name])) {
          delete json[name];
        }
      }
      if (!Object.keys(json).length) {
        toast(t('console_admin_nothing_changed'));
        return;
      }
    }
    submitting(form, async () => {
      try {
        const answer = creating
          ? await api('/admin/eateries', { method: 'POST', json })
          : await api(`/admin/eateries/${id}`, { method: 'PATCH', json });
        closures.set(String(answer.id), answer.closed_until ?? null);
        toast(creating ? t('console_admin_eatery_created', { name: answer.name_vi }) : t('console_admin_saved'));
        if (creating) ctx.navigate(`/console/admin/eateries/${answer.id}`);
        else Object.assign(e, answer);
      } catch (problem) {
        placeErrors(form, problem);
      }
    });
  });
  return () => {
    gone = true;
    map?.remove();
    hours.destroy();
  };
}

// -- dishes -----------------------------------------------------------------------------------

let categoriesCache = null;
function categories() {
  categoriesCache ??= api('/dishes/categories').then((d) => d.items).catch((problem) => {
    categoriesCache = null;
    throw problem;
  });
  return categoriesCache;
}

async function renderDishes(main, ctx) {
  const body = frame(main, t('console_admin_dishes_title'));
  const filter = input('filter', { type: 'search', maxlength: 100 });
  const results = h('div', { class: 'admin-results' });
  body.append(
    h('p', { class: 'actions' }, h('a', { href: '/console/admin/dishes/new', class: 'button primary' }, t('console_admin_dish_new'))),
    h('form', { class: 'toolbar admin-filters', role: 'search', onsubmit: (event) => event.preventDefault() },
      field(t('console_admin_dishes_filter'), filter)),
    results);
  const dishes = [];
  async function load() {
    results.replaceChildren(loadingState());
    dishes.length = 0;
    try {
      for (let offset = 0; ; offset += 100) {
        const data = await api('/dishes', { params: { limit: 100, offset } });
        dishes.push(...data.items);
        if (data.items.length < 100) break;
      }
    } catch (problem) {
      results.replaceChildren(errorState(problem, load));
      return;
    }
    draw();
  }
  function draw() {
    const wanted = fold(filter.value.trim());
    const shown = dishes.filter((d) => !wanted
      || [d.name_vi, d.name_en, d.slug, ...(d.aliases || [])].some((text) => fold(text).includes(wanted)));
    results.replaceChildren(
      h('p', { class: 'result-count' }, t('console_admin_dishes_count', { n: shown.length })),
      shown.length
        ? h('ul', { class: 'cards admin-list' }, shown.map((d) => h('li', { class: 'card admin-item' },
          h('h3', {}, h('a', { href: `/console/admin/dishes/${encodeURIComponent(d.slug)}`, lang: 'vi' }, d.name_vi),
            h('span', { class: 'secondary', lang: 'en' }, d.name_en)),
          h('p', { class: 'meta' }, named('category', d.category), ' · ',
            t('console_admin_dish_eateries_n', { n: d.eatery_count }), ' · ', h('span', { translate: 'no' }, d.slug)))))
        : emptyState(t('console_admin_dishes_none')));
  }
  filter.addEventListener('input', debounce(() => {
    draw();
    announce(results.querySelector('.result-count').textContent);
  }, 300));
  await load();
}

async function renderDishEditor(main, ctx) {
  const slug = decodeURIComponent(window.location.pathname.match(/\/console\/admin\/dishes\/([^/]+)/)?.[1] || 'new');
  const creating = slug === 'new';
  const body = frame(main, creating ? t('console_admin_dish_new') : t('console_admin_dish_edit'),
    { href: '/console/admin/dishes', text: t('console_admin_dishes_title') });
  body.replaceChildren(loadingState());
  let dish = {};
  let cats;
  try {
    [cats, dish] = await Promise.all([
      categories(),
      creating ? Promise.resolve({}) : api(`/dishes/${encodeURIComponent(slug)}`, { params: { limit: 1 } }),
    ]);
  } catch (problem) {
    body.replaceChildren(errorState(problem, () => renderDishEditor(main, ctx)));
    return;
  }
  if (!creating) {
    main.querySelector('h1').textContent = t('console_admin_dish_edit_name', { name: dish.name_vi });
    document.title = `${dish.name_vi} · ${t('console_admin_dishes_title')}`;
  }
  const form = h('form', { class: 'admin-form dish-form', novalidate: true },
    field(t('console_admin_name_vi'), input('name_vi', { value: dish.name_vi || '', maxlength: 200, lang: 'vi' })),
    field(t('console_admin_name_en'), input('name_en', { value: dish.name_en || '', maxlength: 200, lang: 'en' })),
    creating
      ? field(t('console_admin_slug'), input('slug', { maxlength: 100 }), { hint: t('console_admin_dish_slug_hint') })
      : h('p', { class: 'meta' }, t('console_admin_slug'), ': ', h('span', { translate: 'no' }, dish.slug)),
    field(t('console_admin_category'), select('category', cats.map((c) => [c, named('category', c)]),
      { value: dish.category || '', blank: t('console_admin_choose') })),
    field(t('console_admin_aliases'), input('aliases', { value: (dish.aliases || []).join(', '), maxlength: 1000 }),
      { hint: t('console_admin_aliases_hint') }),
    field(t('console_admin_description_vi'), textarea('description_vi', { maxlength: 1000, lang: 'vi' })),
    field(t('console_admin_description_en'), textarea('description_en', { maxlength: 1000, lang: 'en' })),
    h('p', { class: 'form-error', role: 'alert' }),
    h('div', { class: 'actions form-actions' },
      h('button', { type: 'submit', class: 'primary' }, creating ? t('console_admin_create_dish') : t('console_admin_save')),
      h('a', { href: '/console/admin/dishes', class: 'button' }, t('console_admin_back_to_list'))));
  form.elements.namedItem('description_vi').value = dish.description_vi || '';
  form.elements.namedItem('description_en').value = dish.description_en || '';
  body.replaceChildren(form);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(form);
    const json = {
      name_vi: value(form, 'name_vi'),
      name_en: value(form, 'name_en'),
      category: value(form, 'category'),
      aliases: value(form, 'aliases').split(',').map((a) => a.trim()).filter(Boolean),
      description_vi: orNull(value(form, 'description_vi')),
      description_en: orNull(value(form, 'description_en')),
    };
    if (creating && value(form, 'slug')) json.slug = value(form, 'slug');
    if (!creating) {
      for (const name of Object.keys(json)) {
        const same = name === 'aliases'
          ? JSON.stringify(json.aliases) === JSON.stringify(dish.aliases || [])
          : sameValue(json[name], dish[name]);
        if (same) delete json[name];
      }
      if (!Object.keys(json).length) {
        toast(t('console_admin_nothing_changed'));
        return;
      }
    }
    submitting(form, async () => {
      try {
        const answer = creating
          ? await api('/admin/dishes', { method: 'POST', json })
          : await api(`/admin/dishes/${encodeURIComponent(slug)}`, { method: 'PATCH', json });
        toast(creating ? t('console_admin_dish_created', { name: answer.name_vi }) : t('console_admin_saved'));
        if (creating) ctx.navigate(`/console/admin/dishes/${encodeURIComponent(answer.slug)}`);
        else Object.assign(dish, answer);
      } catch (problem) {
        placeErrors(form, problem);
      }
    });
  });
}

// -- QR campaigns -----------------------------------------------------------------------------

async function renderQr(main, ctx) {
  const body = frame(main, t('console_admin_qr_title'));
  const params = new URLSearchParams(window.location.search);
  const codesBox = h('div', { class: 'admin-results' });
  const dashboard = h('div', { class: 'campaign' });
  const campaignInput = input('campaign', { value: params.get('campaign') || '', maxlength: 64, list: 'campaign-names' });
  const campaignNames = h('datalist', { id: 'campaign-names' });
  const campaignForm = h('form', { class: 'toolbar admin-filters' },
    field(t('console_admin_campaign'), campaignInput, { hint: t('console_admin_campaign_hint') }),
    campaignNames,
    h('p', { class: 'filter-submit' }, h('button', { type: 'submit', class: 'primary' }, t('console_admin_campaign_show'))));
  const showCampaign = (name) => {
    campaignInput.value = name;
    campaignForm.requestSubmit();
    campaignForm.scrollIntoView?.({ block: 'start' });
  };
  body.append(
    h('section', { class: 'admin-create', 'aria-labelledby': 'new-code-title' },
      h('h2', { id: 'new-code-title' }, t('console_admin_qr_new')),
      newCodeForm({ onCreated: () => loadCodes(), showCampaign })),
    h('section', { 'aria-labelledby': 'campaign-title' },
      h('h2', { id: 'campaign-title' }, t('console_admin_campaign_title')),
      campaignForm,
      dashboard),
    h('section', { 'aria-labelledby': 'codes-title' },
      h('h2', { id: 'codes-title' }, t('console_admin_codes_title')),
      codesBox));
  const charts = [];

  campaignForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = campaignInput.value.trim();
    const next = name ? `?${new URLSearchParams({ campaign: name })}` : '';
    window.history.replaceState({}, '', `/console/admin/qr${next}`);
    loadCampaign(name);
    loadCodes();
  });

  async function loadCampaign(name) {
    charts.splice(0).forEach((c) => c?.destroy?.());
    if (!name) {
      dashboard.replaceChildren(h('p', { class: 'hint' }, t('console_admin_campaign_pick')));
      return;
    }
    dashboard.replaceChildren(loadingState());
    let stats;
    try {
      stats = await api(`/campaigns/${encodeURIComponent(name)}/stats`);
    } catch (problem) {
      dashboard.replaceChildren(problem.status === 404
        ? emptyState(t('console_admin_campaign_unknown', { name }))
        : errorState(problem, () => loadCampaign(name)));
      return;
    }
    const chartBox = h('div', { class: 'chart-box' });
    const clients = Object.entries(stats.by_client || {}).sort((a, b) => b[1] - a[1]);
    dashboard.replaceChildren(
      h('p', { class: 'campaign-totals' },
        h('strong', {}, t('console_admin_scans_in_range', { n: stats.in_range, from: formatDate(stats.from), to: formatDate(stats.to) })),
        ' · ', t('console_admin_scans_total', { n: stats.total })),
      chartBox,
      h('p', { class: 'actions' }, h('button', {
        type: 'button', onclick: () => saveBlob(new Blob([dailyCsv(stats)], { type: 'text/csv;charset=utf-8' }), `${stats.campaign || name}-scans-per-day.csv`),
      }, t('console_admin_csv'))),
      h('div', { class: 'campaign-tables' },
        h('div', {},
          h('h3', {}, t('console_admin_by_client')),
          clients.length ? dataTable({
            caption: t('console_admin_by_client'),
            sort: { key: 'scans', dir: 'desc' },
            rows: clients.map(([kind, scans]) => ({ kind, scans })),
            columns: [
              { key: 'kind', label: t('console_admin_client'), value: (r) => named('client', r.kind), cell: (r) => named('client', r.kind) },
              { key: 'scans', label: t('console_admin_scans'), numeric: true, cell: (r) => String(r.scans) },
            ],
          }) : emptyState(t('console_admin_no_scans'))),
        h('div', {},
          h('h3', {}, t('console_admin_per_code')),
          stats.codes?.length ? dataTable({
            caption: t('console_admin_per_code'),
            sort: { key: 'total', dir: 'desc' },
            rows: stats.codes,
            columns: [
              {
                key: 'code', label: t('console_admin_code'),
                cell: (c) => [h('span', { translate: 'no' }, c.code), c.active ? null : h('span', { class: 'secondary' }, t('console_admin_code_off'))],
              },
              { key: 'placement', label: t('console_admin_placement'), cell: (c) => c.placement || '–' },
              { key: 'total', label: t('console_admin_scans'), numeric: true, cell: (c) => String(c.total) },
            ],
          }) : emptyState(t('console_admin_no_codes')))));
    charts.push(lineChart(chartBox, {
      caption: t('console_admin_scans_chart_title', { name }),
      x: stats.by_day.map((d) => d.date),
      series: [{ label: t('console_admin_scans'), values: stats.by_day.map((d) => d.scans) }],
    }));
  }

  async function loadCodes() {
    codesBox.replaceChildren(loadingState());
    let data;
    const campaign = campaignInput.value.trim();
    try {
      data = await api('/qr-codes', { params: { campaign, limit: 100 } });
    } catch (problem) {
      codesBox.replaceChildren(errorState(problem, loadCodes));
      return;
    }
    if (!campaign) {
      const names = [...new Set(data.items.map((c) => c.campaign))].sort();
      campaignNames.replaceChildren(...names.map((n) => h('option', { value: n })));
    }
    codesBox.replaceChildren(data.items.length
      ? h('ul', { class: 'cards admin-list' }, data.items.map((code) => codeCard(code, showCampaign)))
      : emptyState(t('console_admin_codes_none')));
  }
  await Promise.all([loadCampaign(campaignInput.value.trim()), loadCodes()]);
  return () => charts.forEach((c) => c?.destroy?.());
}

function dailyCsv(stats) {
  return ['date,scans', ...stats.by_day.map((d) => `${d.date},${d.scans}`)].join('\r\n') + '\r\n';
}

function codeCard(code, showCampaign) {
  const card = h('li', { class: 'card admin-item qr-item', dataset: { code: code.code } });
  const error = h('p', { class: 'form-error', role: 'alert' });
  function draw() {
    card.classList.toggle('is-disabled', !code.active);
    card.replaceChildren(
      h('h3', {}, code.target?.name || code.code),
      h('p', { class: 'meta' },
        named('target', code.target?.kind), ' · ',
        h('span', { class: 'qr-code-id', translate: 'no' }, code.code), ' · ',
        code.active ? h('span', { class: 'badge badge-open' }, t('console_admin_code_on'))
          : h('span', { class: 'badge badge-closed' }, t('console_admin_code_off'))),
      h('p', { class: 'meta' },
        t('console_admin_campaign'), ': ',
        h('button', { type: 'button', class: 'link', onclick: () => showCampaign(code.campaign) }, code.campaign),
        code.placement ? [' · ', code.placement] : null,
        ' · ', t('console_admin_scans_n', { n: code.scans })),
      h('p', { class: 'meta' }, h('a', { href: code.short_url, translate: 'no', rel: 'noopener', target: '_blank' }, code.short_url)),
      h('div', { class: 'actions' },
        ['png', 'svg', 'pdf'].map((fmt) => h('button', {
          type: 'button',
          onclick: async () => {
            error.textContent = '';
            try {
              await download(`/qr-codes/${code.code}.${fmt}`, `qr-${code.campaign}-${code.code}.${fmt}`);
            } catch (problem) {
              error.textContent = errorMessage(problem);
            }
          },
        }, t('console_admin_download', { format: fmt.toUpperCase() }), h('span', { class: 'visually-hidden' }, ` ${code.code}`))),
        h('button', { type: 'button', class: code.active ? 'danger-quiet' : null, onclick: toggle },
          code.active ? t('console_admin_code_turn_off') : t('console_admin_code_turn_on'),
          h('span', { class: 'visually-hidden' }, ` ${code.code}`))),
      error);
  }
  async function toggle() {
    if (code.active) {
      const ok = await confirmDialog({
        title: t('console_admin_code_off_title', { code: code.code }),
        text: t('console_admin_code_off_text'),
        confirm: t('console_admin_code_turn_off'),
        danger: true,
      });
      if (!ok) return;
    }
    try {
      Object.assign(code, await api(`/qr-codes/${code.code}`, { method: 'PATCH', json: { active: !code.active } }));
      draw();
      toast(code.active ? t('console_admin_code_turned_on', { code: code.code }) : t('console_admin_code_turned_off', { code: code.code }));
    } catch (problem) {
      error.textContent = errorMessage(problem);
    }
  }
  draw();
  return card;
}

// The API names a target's fields `target.query`, `target.slug`, `target.id`.
const TARGET_FIELDS = {
  search: 'target.query', dish: 'target.slug', eatery: 'target.id', station: 'target.id', tour: 'target.tour',
};
const TOUR_MAX_DISHES = 8; // as the planner takes them
const TOUR_MODES = [['walk', () => t('tour_mode_walk')], ['bike', () => t('tour_mode_bike')], ['auto', () => t('tour_mode_auto')]];

// A food tour: the dishes (ticked, at most 8), its length and how to get around. The code opens
// the planner, which plans from the scanner's position.
function tourPart() {
  const errorId = `${nextId('tour-dishes')}-error`;
  const dishList = h('ul', { class: 'radios tour-dish-list' });
  const dishes = h('fieldset', { class: 'field', dataset: { field: 'target.dishes' } },
    h('legend', {}, t('console_admin_tour_dishes')),
    h('p', { class: 'hint' }, t('console_admin_tour_dishes_hint')),
    h('p', { class: 'field-error', id: errorId, 'aria-live': 'polite' }),
    dishList);
  const minutes = input('tour_minutes', { type: 'number', min: 30, max: 720, step: 15, value: 180, inputmode: 'numeric' });
  const mode = select('tour_mode', TOUR_MODES.map(([v, say]) => [v, say()]), { value: 'walk' });
  const element = h('fieldset', { class: 'tour-target' },
    h('legend', {}, t('console_admin_target_tour')),
    dishes,
    field(t('console_admin_tour_minutes'), minutes, { name: 'target.minutes' }),
    field(t('console_admin_tour_mode'), mode, { name: 'target.mode' }));
  // At most 8: the others wait until one is unticked.
  const limit = () => {
    const boxes = [...dishList.querySelectorAll('input')];
    const full = boxes.filter((b) => b.checked).length >= TOUR_MAX_DISHES;
    boxes.forEach((b) => { b.disabled = full && !b.checked; });
  };
  dishList.addEventListener('change', limit);
  return {
    element,
    setDishes(items) {
      dishList.replaceChildren(...items.map((dish) => {
        const id = nextId('tour-dish');
        return h('li', { class: 'check' },
          h('input', { type: 'checkbox', id, value: dish.slug, 'aria-describedby': errorId }),
          h('label', { for: id }, localName(dish)));
      }));
    },
    target: () => ({
      kind: 'tour',
      dishes: [...dishList.querySelectorAll('input:checked')].map((b) => b.value),
      minutes: Number(minutes.value) || null,
      mode: mode.value,
    }),
  };
}

function newCodeForm({ onCreated, showCampaign }) {
  const kind = select('kind', WORDS.target.map((k) => [k, named('target', k)]), { value: 'search' });
  const query = input('query', { maxlength: 100, lang: 'vi' });
  const dishSelect = select('slug', [], { blank: t('console_admin_choose') });
  const stationSelect = select('station', [], { blank: t('console_admin_choose') });
  const picker = eateryPicker({ legend: t('console_admin_target_eatery'), name: 'target.id', single: true });
  const tour = tourPart();
  const parts = {
    search: field(t('console_admin_search_text'), query, { name: 'target.query', hint: t('console_admin_search_text_hint') }),
    dish: field(t('console_admin_target_dish'), dishSelect, { name: 'target.slug' }),
    eatery: picker.element,
    station: field(t('console_admin_target_station'), stationSelect, { name: 'target.id' }),
    tour: tour.element,
  };
  const result = h('div', { class: 'qr-created' });
  const form = h('form', { class: 'admin-form', novalidate: true },
    field(t('console_admin_target_kind'), kind, { name: 'target' }),
    Object.values(parts),
    field(t('console_admin_campaign'), input('campaign', { maxlength: 64 }),
      { hint: t('console_admin_campaign_name_hint') }),
    field(t('console_admin_placement'), input('placement', { maxlength: 120 }), { hint: t('console_admin_placement_hint') }),
    h('p', { class: 'form-error', role: 'alert' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('console_admin_create_code'))),
    result);
  // Only the part of the chosen kind shows, and only it answers to the API's field name.
  const showPart = () => Object.entries(parts).forEach(([k, el]) => {
    el.hidden = k !== kind.value;
    el.dataset.field = k === kind.value ? TARGET_FIELDS[k] : `unused-${k}`;
  });
  kind.addEventListener('change', showPart);
  showPart();
  // The choices, loaded once; a station list the API refuses leaves a box to type the id in.
  api('/dishes', { params: { limit: 100 } }).then((d) => {
    dishSelect.append(...d.items.map((dish) => h('option', { value: dish.slug }, `${dish.name_vi} — ${dish.name_en}`)));
    // the most served first: those are the ones a tour is made of
    tour.setDishes([...d.items].sort((a, b) => b.eatery_count - a.eatery_count || a.name_vi.localeCompare(b.name_vi, 'vi')));
  }).catch(() => {});
  api('/operator/stations', { params: { sort: 'name', limit: 100 } }).then((d) => {
    stationSelect.append(...(d.items || d.stations || []).map((st) =>
      h('option', { value: st.station_id }, `${localName(st)} (${st.station_id})`)));
  }).catch(() => {
    const typed = input('station', {
      maxlength: 64, placeholder: 'hp-001', id: stationSelect.id,
      'aria-describedby': stationSelect.getAttribute('aria-describedby'),
    });
    stationSelect.replaceWith(typed);
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(form);
    const target = kind.value === 'tour' ? tour.target() : { kind: kind.value };
    if (kind.value === 'search') target.query = query.value.trim();
    if (kind.value === 'dish') target.slug = dishSelect.value;
    if (kind.value === 'eatery') target.id = picker.ids()[0] ?? null;
    if (kind.value === 'station') target.id = value(form, 'station');
    const json = { target, campaign: value(form, 'campaign'), placement: orNull(value(form, 'placement')) };
    submitting(form, async () => {
      try {
        const code = await api('/qr-codes', { method: 'POST', json });
        toast(t('console_admin_code_created', { code: code.code }));
        result.replaceChildren(
          h('p', { class: 'hint' }, t('console_admin_code_ready')),
          h('ul', { class: 'cards admin-list' }, codeCard(code, showCampaign)));
        onCreated(code);
      } catch (problem) {
        placeErrors(form, problem, 'target');
      }
    });
  });
  return form;
}

// -- audit log --------------------------------------------------------------------------------

function readable(valueIn) {
  if (valueIn === null || valueIn === undefined) return '–';
  if (typeof valueIn === 'string') return valueIn;
  return JSON.stringify(valueIn);
}

// Before and after, one row per field that changed; a creation or a deletion has one side.
function changes(before, after) {
  const keys = [...new Set([...Object.keys(before || {}), ...Object.keys(after || {})])];
  const rows = keys.filter((k) => !before || !after || JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  if (!rows.length) return null;
  const sides = [
    before ? [t('console_admin_audit_before'), before, 'audit-before'] : null,
    after ? [t('console_admin_audit_after'), after, 'audit-after'] : null,
  ].filter(Boolean);
  return h('table', { class: 'audit-changes' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('console_admin_audit_field')),
      sides.map(([label]) => h('th', { scope: 'col' }, label)))),
    h('tbody', {}, rows.map((k) => h('tr', {},
      h('th', { scope: 'row', translate: 'no' }, k),
      sides.map(([, values, cls]) => h('td', { class: cls }, readable(values[k])))))));
}

async function renderAudit(main, ctx) {
  const body = frame(main, t('console_admin_audit_title'));
  const params = new URLSearchParams(window.location.search);
  const entity = select('entity', WORDS.entity.map((e) => [e, named('entity', e)]),
    { value: params.get('entity') || '', blank: t('console_admin_audit_all') });
  const actor = input('actor_id', { type: 'number', min: 1, step: 1, inputmode: 'numeric', value: params.get('actor_id') || '' });
  const filters = h('form', { class: 'toolbar admin-filters' },
    field(t('console_admin_audit_entity'), entity),
    field(t('console_admin_audit_actor'), actor, { hint: t('console_admin_audit_actor_hint') }),
    h('p', { class: 'filter-submit' }, h('button', { type: 'submit', class: 'primary' }, t('console_admin_filter'))));
  const results = h('div', { class: 'admin-results' });
  body.append(filters, results);

  // Staff names for the actors (most entries are theirs); anyone else goes by their id.
  const names = new Map();
  const namesLoaded = Promise.all(STAFF_ROLES.map((role) => api('/admin/users', { params: { role, limit: 100 } })
    .then((d) => d.items.forEach((u) => names.set(u.id, u.display_name)))
    .catch(() => {})));

  let cursor = null;
  async function load(more = false) {
    if (!more) {
      cursor = null;
      results.replaceChildren(loadingState());
    }
    await namesLoaded;
    let data;
    try {
      data = await api('/admin/audit', {
        params: { entity: entity.value, actor_id: actor.value.trim(), cursor, limit: PAGE },
      });
    } catch (problem) {
      if (problem.status === 422) {
        results.replaceChildren();
        placeErrors(filters, problem);
        return;
      }
      results.replaceChildren(errorState(problem, () => load()));
      return;
    }
    const list = more ? results.querySelector('.admin-list') : h('ol', { class: 'cards admin-list audit-list' });
    list.append(...data.items.map((entry) => h('li', { class: 'card admin-item audit-entry' },
      h('h3', {}, h('span', { translate: 'no' }, entry.action), ' · ',
        named('entity', entry.entity), ' ', h('span', { translate: 'no' }, `#${entry.entity_id}`)),
      h('p', { class: 'meta' },
        h('time', { datetime: entry.at }, formatDateTime(entry.at)), ' · ',
        entry.actor_id
          ? h('button', {
            type: 'button', class: 'link',
            onclick: () => { actor.value = String(entry.actor_id); filters.requestSubmit(); },
          }, names.has(entry.actor_id)
            ? t('console_admin_audit_by_name', { name: names.get(entry.actor_id), id: entry.actor_id })
            : t('console_admin_audit_by', { id: entry.actor_id }))
          : t('console_admin_audit_system')),
      changes(entry.before, entry.after))));
    cursor = data.next_cursor;
    if (!more) {
      results.replaceChildren(data.items.length ? list : emptyState(t('console_admin_audit_none')));
    }
    results.querySelector('.more')?.remove();
    if (cursor) results.append(moreButton(() => load(true)));
  }
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(filters);
    const next = new URLSearchParams();
    if (entity.value) next.set('entity', entity.value);
    if (actor.value.trim()) next.set('actor_id', actor.value.trim());
    window.history.replaceState({}, '', `/console/admin/audit${next.size ? `?${next}` : ''}`);
    load();
  });
  await load();
}

// -- the screens --------------------------------------------------------------------------------

export const screens = [
  {
    path: /^\/console\/admin\/?$/,
    roles: ADMIN,
    title: 'console_admin_users_title',
    render: (main, ctx) => {
      window.history.replaceState({}, '', '/console/admin/users');
      return renderUsers(main, ctx);
    },
  },
  { path: /^\/console\/admin\/users\/?$/, roles: ADMIN, title: 'console_admin_users_title', render: renderUsers },
  { path: /^\/console\/admin\/eateries\/?$/, roles: ADMIN, title: 'console_admin_eateries_title', render: renderEateries },
  { path: /^\/console\/admin\/eateries\/(new|\d+)\/?$/, roles: ADMIN, title: 'console_admin_eateries_title', render: renderEateryEditor },
  { path: /^\/console\/admin\/dishes\/?$/, roles: ADMIN, title: 'console_admin_dishes_title', render: renderDishes },
  { path: /^\/console\/admin\/dishes\/([^/]+)\/?$/, roles: ADMIN, title: 'console_admin_dishes_title', render: renderDishEditor },
  { path: /^\/console\/admin\/qr\/?$/, roles: ADMIN, title: 'console_admin_qr_title', render: renderQr },
  { path: /^\/console\/admin\/audit\/?$/, roles: ADMIN, title: 'console_admin_audit_title', render: renderAudit },
];


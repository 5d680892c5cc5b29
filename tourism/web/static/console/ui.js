// The console's shared pieces: headings, tables that sort, form fields with their error beside
// them, the API's errors placed on those fields, toasts, a confirm dialog, the loading, empty
// and error states, money. Every screen module builds from these.
import { ApiError, readSession } from '../api.js';
import { announce, append, h } from '../dom.js';
import { formatDateTime, locale, t } from '../i18n.js';

let uid = 0;

// replaceChildren() that skips null, false and undefined (replaceChildren writes "null").
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export const nextId = (prefix = 'c') => `${prefix}-${++uid}`;

// -- headings and states ----------------------------------------------------------------------

export function pageHeading(text, { back, lead } = {}) {
  return h('div', { class: 'page-head' },
    back ? h('p', { class: 'back' }, h('a', { href: back.href }, `← ${back.text}`)) : null,
    h('h1', { tabindex: '-1' }, text),
    lead ? h('p', { class: 'lead' }, lead) : null);
}

export const loadingState = (text = t('loading')) =>
  h('p', { class: 'loading state', role: 'status' }, text);

export const emptyState = (text) => h('p', { class: 'empty state' }, text);

// What went wrong, in a sentence the reader can act on.
export function errorMessage(error) {
  if (!(error instanceof ApiError)) return t('console_error_network');
  if (error.status === 401) return t('console_error_session');
  if (error.status === 403) return t('console_error_forbidden');
  if (error.status === 404) return t('console_error_not_found');
  if (error.status === 405 || error.status === 501) return t('console_error_unavailable');
  if (error.status === 409) return `${t('console_error_conflict')} ${error.message}`;
  if (error.status === 429) return t('error_rate_limited');
  if (error.status === 422) return `${t('error_invalid')} ${error.message}`;
  if (error.status >= 500) return t('console_error_server');
  return error.message || t('error_text');
}

export function errorState(error, retry) {
  return h('div', { class: 'error state', role: 'alert' },
    h('p', {}, errorMessage(error)),
    retry ? h('button', { type: 'button', onclick: retry }, t('console_retry')) : null);
}

// Load into `box`: a loading line, then render(data), or the error with a retry button.
export async function loadInto(box, load, render) {
  const run = async () => {
    box.replaceChildren(loadingState());
    box.setAttribute('aria-busy', 'true');
    try {
      const data = await load();
      box.replaceChildren(...[render(data)].flat().filter(Boolean));
    } catch (error) {
      if (error?.name === 'AbortError') return;
      box.replaceChildren(errorState(error, run));
    } finally {
      box.removeAttribute('aria-busy');
    }
  };
  await run();
  return run;
}

// -- money ------------------------------------------------------------------------------------

export const MAX_PRICE = 10_000_000;
const grouping = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 0 });
const vnd = new Intl.NumberFormat('vi-VN', { style: 'currency', currency: 'VND' });
export const formatVnd = (amount) => vnd.format(amount); // 35.000 ₫
export const groupDigits = (amount) => grouping.format(amount); // 35.000

// The digits typed, as an integer; null when there are none.
export function parseVnd(text) {
  const digits = String(text ?? '').replace(/\D/g, '');
  return digits ? Number(digits.slice(0, 12)) : null;
}

export function priceProblem(amount) {
  if (amount === null) return t('console_price_required');
  if (amount <= 0 || amount > MAX_PRICE) {
    return t('console_price_range', { max: formatVnd(MAX_PRICE) });
  }
  return null;
}

// A price input that groups the digits as they are typed (35.000, with ₫ beside it) and keeps
// the caret after the same digit.
export function priceInput(attrs = {}) {
  const input = h('input', {
    type: 'text', inputmode: 'numeric', autocomplete: 'off', maxlength: 12, ...attrs,
  });
  const reformat = () => {
    const before = input.value;
    const caret = input.selectionStart ?? before.length;
    const digitsBefore = before.slice(0, caret).replace(/\D/g, '').length;
    const amount = parseVnd(before);
    const after = amount === null ? '' : groupDigits(amount);
    if (after === before) return;
    input.value = after;
    let position = 0;
    for (let seen = 0; position < after.length && seen < digitsBefore; position += 1) {
      if (/\d/.test(after[position])) seen += 1;
    }
    if (document.activeElement === input) input.setSelectionRange(position, position);
  };
  input.addEventListener('input', reformat);
  input.setAmount = (amount) => { input.value = amount === null || amount === undefined ? '' : groupDigits(amount); };
  input.amount = () => parseVnd(input.value);
  return h('span', { class: 'money' }, input, h('span', { class: 'money-unit', 'aria-hidden': 'true' }, '₫'));
}

// -- form fields ------------------------------------------------------------------------------

// A labelled control with its hint and an error slot beside it. `name` is the API's field
// name: showErrors() finds the slot by it.
export function field({ name, label, control, hint, id = control.id || nextId(name.replace(/[^\w-]/g, '-')) }) {
  const input = control.matches('input, select, textarea') ? control : control.querySelector('input, select, textarea');
  input.id = id;
  if (!input.name) input.name = name;
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  input.setAttribute('aria-describedby', [hintId, errorId].filter(Boolean).join(' '));
  return h('div', { class: 'field', dataset: { field: name } },
    h('label', { for: id }, label),
    control,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    h('p', { class: 'field-error', id: errorId, 'aria-live': 'polite' }));
}

export function setFieldError(fieldEl, message) {
  if (!fieldEl) return;
  const slot = fieldEl.querySelector(':scope > .field-error') || fieldEl.querySelector('.field-error');
  if (slot) slot.textContent = message || '';
  for (const input of fieldEl.querySelectorAll('input, select, textarea')) {
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
  fieldEl.classList.toggle('invalid', Boolean(message));
}

export function clearErrors(form) {
  for (const el of form.querySelectorAll('[data-field]')) setFieldError(el, '');
  const general = form.querySelector('.form-error');
  if (general) general.textContent = '';
}

function fieldFor(form, name) {
  const escaped = CSS.escape(name);
  return form.querySelector(`[data-field="${escaped}"]`)
    // "items.0.price_vnd" and "location.coordinates" fall back to the field they belong to
    || (name.includes('.') ? fieldFor(form, name.split('.').slice(0, -1).join('.')) : null);
}

// The validator's English for a wrong format, in the reader's language; other messages are
// the API's own sentences.
function readable(message) {
  if (/^String should match pattern/.test(message)) return t('console_error_format');
  return message;
}

// Each message of the API's error beside its field; what was typed stays. The first field in
// error gets the focus; anything without a field goes to the form's general error line.
export function showErrors(form, error) {
  clearErrors(form);
  const general = [];
  let first = null;
  const fields = error instanceof ApiError ? error.fields : [];
  for (const detail of fields) {
    const target = detail.field ? fieldFor(form, detail.field) : null;
    if (target) {
      const slot = target.querySelector(':scope > .field-error') || target.querySelector('.field-error');
      const previous = slot?.textContent;
      const message = readable(detail.message);
      setFieldError(target, previous ? `${previous} ${message}` : message);
      first ??= target;
    } else {
      general.push(detail.message);
    }
  }
  if (!first || general.length) {
    const line = form.querySelector('.form-error');
    const text = !first ? errorMessage(error) : general.join(' ');
    if (line) line.textContent = text;
  }
  const focusable = first?.querySelector('input:not([type="hidden"]), select, textarea');
  if (focusable) focusable.focus();
  announce(t('console_save_failed'));
  return Boolean(first);
}

export const formError = () => h('p', { class: 'form-error', role: 'alert' });

// -- toasts, dialogs --------------------------------------------------------------------------

export function toast(text, { kind = 'ok' } = {}) {
  const box = document.getElementById('toasts');
  if (!box) return announce(text);
  // One at a time: the newest says what just happened.
  const item = h('p', { class: `toast toast-${kind}` }, text);
  box.replaceChildren(item);
  setTimeout(() => item.remove(), 4000);
  return item;
}

export function confirmDialog({ title, text, confirm, cancel = t('cancel'), danger = false }) {
  return new Promise((resolve) => {
    const titleId = nextId('confirm');
    const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': titleId });
    let answer = false;
    const opener = document.activeElement;
    dialog.append(h('form', { method: 'dialog' },
      h('h2', { id: titleId }, title),
      text ? h('p', {}, text) : null,
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'submit', class: danger ? 'danger' : 'primary', onclick: () => { answer = true; } }, confirm),
        h('button', { type: 'submit', value: 'cancel' }, cancel))));
    dialog.addEventListener('close', () => {
      dialog.remove();
      opener?.focus?.();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

// -- tables -----------------------------------------------------------------------------------

// A table whose column headings sort it (a button in each; aria-sort says how). Columns:
// {key, label, value(row) for sorting, cell(row) -> node or text, numeric}.
export function dataTable({ caption, columns, rows, sort, rowAttrs }) {
  let current = sort || { key: columns[0].key, dir: 'asc' };
  const table = h('table', { class: 'data' });
  const wrapper = h('div', {
    class: 'table-scroll', role: 'region', tabindex: '0', 'aria-label': caption,
  }, table);
  const collator = new Intl.Collator(locale(), { numeric: true, sensitivity: 'base' });
  const compare = (a, b) => {
    if (a === b) return 0;
    if (a === null || a === undefined) return 1; // unknown last, whichever way
    if (b === null || b === undefined) return -1;
    return typeof a === 'number' && typeof b === 'number' ? a - b : collator.compare(String(a), String(b));
  };

  function draw() {
    const column = columns.find((c) => c.key === current.key) || columns[0];
    const value = column.value || ((row) => row[column.key]);
    const sorted = [...rows].sort((a, b) => {
      const va = value(a);
      const vb = value(b);
      if (va === null || va === undefined || vb === null || vb === undefined) return compare(va, vb);
      return current.dir === 'asc' ? compare(va, vb) : compare(vb, va);
    });
    table.replaceChildren(
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, columns.map((c) => {
        const active = c.key === current.key;
        const dir = active ? current.dir : null;
        return h('th', {
          scope: 'col',
          class: c.numeric ? 'num' : null,
          'aria-sort': active ? (dir === 'asc' ? 'ascending' : 'descending') : null,
        }, c.sortable === false ? c.label : h('button', {
          type: 'button',
          class: 'sort',
          onclick: () => {
            current = { key: c.key, dir: active && dir === 'asc' ? 'desc' : 'asc' };
            draw();
            announce(t(current.dir === 'asc' ? 'console_sorted_asc' : 'console_sorted_desc', { column: c.label }));
            table.querySelector(`th[aria-sort] button`)?.focus();
          },
        }, c.label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, active ? (dir === 'asc' ? ' ▲' : ' ▼') : ' ↕')));
      }))),
      h('tbody', {}, sorted.map((row) => h('tr', rowAttrs ? rowAttrs(row) : {},
        columns.map((c, i) => h(i === 0 ? 'th' : 'td', {
          scope: i === 0 ? 'row' : null, class: c.numeric ? 'num' : null,
        }, c.cell ? c.cell(row) : String(row[c.key] ?? '–')))))));
  }
  draw();
  wrapper.update = (next) => { rows = next; draw(); };
  wrapper.sortState = () => ({ ...current });
  return wrapper;
}

// -- time -------------------------------------------------------------------------------------

// "3 minutes ago", in the reader's language, from an ISO instant and the API's now.
export function ago(iso, now = new Date()) {
  if (!iso) return null;
  const seconds = Math.round((new Date(iso) - new Date(now)) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' });
  const steps = [[60, 'second'], [60, 'minute'], [24, 'hour'], [7, 'day'], [Infinity, 'week']];
  let value = seconds;
  for (const [size, unit] of steps) {
    if (Math.abs(value) < size) return rtf.format(Math.round(value), unit);
    value /= size;
  }
  return formatDateTime(iso);
}

// -- downloads that need the login ------------------------------------------------------------

// A file the API serves only with the bearer token: fetched as a blob, saved by an object URL.
export async function download(path, filename) {
  const token = readSession()?.token;
  const res = await fetch(`/api/v1${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
  const url = URL.createObjectURL(await res.blob());
  const link = h('a', { href: url, download: filename, class: 'visually-hidden' }, filename);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// Text compared without accents and case: "banh da" finds "Bánh đa".
export const fold = (text) => String(text || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '')
  .replace(/[đĐ]/g, 'd').toLowerCase().trim();

// A sentence for the next screen (after a log-out, the login form says why).
let flashText = null;
export function setFlash(text) { flashText = text; }
export function takeFlash() {
  const text = flashText;
  flashText = null;
  return text;
}

// The week editor for OpenStreetMap `opening_hours`: per day closed, open 24 hours or one or
// more time ranges (a range may run past midnight: 17:00-02:00), public holidays as usual,
// closed or open. It writes the OSM string ("Mo-Fr 06:00-14:00; Sa,Su 07:00-22:00; PH off"),
// and the server reads it back (POST /hours/preview): the week as the tourist page will show
// it, open now or when it opens, or the server's sentence when it does not read. The advanced
// box takes any OSM value; what the week grid can show, it shows.
import { api } from '../api.js';
import { debounce, h } from '../dom.js';
import { locale, t } from '../i18n.js';
import { nextChangeText, openBadge, weekTable } from '../views/parts.js';
import { nextId } from './ui.js';

export const DAYS = ['Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su'];
const TIME = /^([01]?\d|2[0-4]):([0-5]\d)$/;

const closed = () => ({ mode: 'closed', ranges: [] });
const emptyWeek = () => ({ days: DAYS.map(closed), ph: { mode: 'normal', ranges: [] } });

// -- the OSM string <-> the week ---------------------------------------------------------------

function pad(time) {
  const [hh, mm] = time.split(':');
  return `${hh.padStart(2, '0')}:${mm}`;
}

// "26:00" (OSM's extended time) and "24:00" come back as the clock reads them: 02:00, 00:00.
function clock(time) {
  const [hh, mm] = time.split(':').map(Number);
  return `${String(hh % 24).padStart(2, '0')}:${String(mm).padStart(2, '0')}`;
}

function parseTimes(text) {
  if (/^(off|closed)$/i.test(text)) return closed();
  if (text === '24/7') return { mode: 'allday', ranges: [] };
  const ranges = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    const m = /^(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$/.exec(part);
    if (!m) return null;
    const [, from, to] = m;
    const [fh] = from.split(':').map(Number);
    const [th, tm] = to.split(':').map(Number);
    if (fh > 23 || th > 47 || tm > 59 || +from.split(':')[1] > 59) return null;
    ranges.push({ from: pad(from), to: clock(to) });
  }
  if (ranges.length === 1 && ranges[0].from === '00:00' && ranges[0].to === '00:00') {
    return { mode: 'allday', ranges: [] };
  }
  return ranges.length ? { mode: 'open', ranges } : null;
}

// The days a selector names ("Mo-Fr,Su", "Sa-Mo", "PH"), or null when it is not that simple.
function parseSelector(text) {
  const days = new Set();
  let ph = false;
  for (const token of text.split(',')) {
    if (token === 'PH') { ph = true; continue; }
    const m = /^([A-Z][a-z])(?:-([A-Z][a-z]))?$/.exec(token);
    if (!m) return null;
    const from = DAYS.indexOf(m[1]);
    const to = m[2] ? DAYS.indexOf(m[2]) : from;
    if (from < 0 || to < 0) return null;
    for (let i = from; ; i = (i + 1) % 7) {
      days.add(i);
      if (i === to) break;
    }
  }
  return { days, ph };
}

// ", " then a day: an additional rule, which adds to the days it names instead of replacing.
const ADDITIONAL = /,\s+(?=(?:PH|Mo|Tu|We|Th|Fr|Sa|Su)\b)/;
const SELECTOR = /^((?:PH|[A-Z][a-z](?:-[A-Z][a-z])?)(?:,(?:PH|[A-Z][a-z](?:-[A-Z][a-z])?))*)\s+(.+)$/;

function add(current, spec) {
  if (spec.mode === 'closed') return null; // "off" as an additional rule: not the grid's
  if (current.mode === 'closed') return structuredClone(spec);
  if (current.mode === 'allday' || spec.mode === 'allday') return { mode: 'allday', ranges: [] };
  return { mode: 'open', ranges: [...current.ranges, ...structuredClone(spec.ranges)] };
}

/** The week an OSM value describes, or null when the grid cannot show it (months, weeks,
 * comments, "+", fallback rules...). An empty value is an empty week marked unknown. */
export function parseHours(text) {
  const value = String(text || '').trim();
  const week = emptyWeek();
  if (!value) return { ...week, unknown: true };
  for (const rule of value.split(';').map((r) => r.trim()).filter(Boolean)) {
    const parts = rule.split(ADDITIONAL);
    for (const [n, part] of parts.entries()) {
      const m = SELECTOR.exec(part.trim());
      const selector = m ? parseSelector(m[1]) : { days: new Set(DAYS.keys()), ph: false };
      const spec = parseTimes(m ? m[2].trim() : part.trim());
      if (!selector || !spec) return null;
      const apply = (current) => (n === 0 ? structuredClone(spec) : add(current, spec));
      for (const i of selector.days) {
        week.days[i] = apply(week.days[i]);
        if (!week.days[i]) return null;
      }
      if (selector.ph) {
        week.ph = apply(week.ph.mode === 'normal' ? closed() : week.ph);
        if (!week.ph) return null;
      }
    }
  }
  return week;
}

function specText(spec) {
  if (spec.mode === 'closed') return 'off';
  if (spec.mode === 'allday') return '00:00-24:00';
  return spec.ranges.map((r) => `${r.from}-${r.to === '00:00' ? '24:00' : r.to}`).join(',');
}

// Mo-Fr, Sa,Su, Mo,We,Fr, Mo-Su.
function daysText(indexes) {
  const runs = [];
  for (const i of indexes) {
    const last = runs[runs.length - 1];
    if (last && last[1] === i - 1) last[1] = i;
    else runs.push([i, i]);
  }
  return runs.map(([a, b]) => {
    if (a === b) return DAYS[a];
    if (b === a + 1) return `${DAYS[a]},${DAYS[b]}`;
    return `${DAYS[a]}-${DAYS[b]}`;
  }).join(',');
}

/** The OSM value of a week: days with the same hours share a rule; closed days are left out
 * (closed is the default, and "Su off" would cut Saturday's 17:00-02:00 at midnight). Rules
 * join with "; ", or with ", " (OSM's additional rule) when a range runs past midnight: after
 * "; " the next day's own rule would cut it at midnight too. */
export function formatHours(week) {
  const open = week.days.map((d, i) => [i, d]).filter(([, d]) => d.mode !== 'closed');
  const rules = [];
  let separator = '; ';
  if (open.length === 7 && open.every(([, d]) => d.mode === 'allday')) {
    rules.push('24/7');
  } else if (!open.length) {
    rules.push('off');
  } else {
    const groups = new Map();
    for (const [i, d] of open) {
      const key = specText(d);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(i);
    }
    for (const [key, indexes] of groups) rules.push(`${daysText(indexes)} ${key}`);
    const pastMidnight = open.some(([, d]) => d.mode === 'open'
      && d.ranges.some((r) => r.to !== '00:00' && r.to < r.from));
    if (pastMidnight) separator = ', ';
  }
  const days = rules.join(separator);
  return week.ph.mode === 'normal' ? days : `${days}; PH ${specText(week.ph)}`;
}

// A new range after `last`: an hour after it closes, for two hours (the vendor then types).
function nextRange(last) {
  if (!last || !TIME.test(last.to)) return { from: '08:00', to: '22:00' };
  const at = (hours) => {
    const [hh, mm] = last.to.split(':').map(Number);
    return `${String((hh + hours) % 24).padStart(2, '0')}:${String(mm).padStart(2, '0')}`;
  };
  return { from: at(1), to: at(3) };
}

// What is wrong with the grid before anything is sent, or null.
function weekProblem(week, dayName) {
  const specs = [...week.days.map((d, i) => [dayName(i), d]), [t('console_hours_holidays'), week.ph]];
  for (const [name, spec] of specs) {
    if (spec.mode !== 'open') continue;
    if (!spec.ranges.length) return t('console_hours_need_range', { day: name });
    for (const r of spec.ranges) {
      if (!TIME.test(r.from) || !TIME.test(r.to)) return t('console_hours_need_times', { day: name });
      if (r.from === r.to) return t('console_hours_same_times', { day: name });
    }
  }
  return null;
}

// -- the editor -------------------------------------------------------------------------------

function weekdayNames() {
  const format = new Intl.DateTimeFormat(locale(), { weekday: 'long', timeZone: 'UTC' });
  // 2024-01-01 was a Monday.
  return DAYS.map((_, i) => {
    const name = format.format(new Date(Date.UTC(2024, 0, 1 + i)));
    return name.charAt(0).toUpperCase() + name.slice(1);
  });
}

/**
 * The editor: `value` the current OSM string (or null). The element has value() (the string,
 * '' for unknown), problem() (a sentence when the grid is incomplete) and destroy().
 */
export function hoursEditor({ value, label = t('console_hours_label'), name = 'opening_hours', onChange } = {}) {
  const names = weekdayNames();
  const dayName = (i) => names[i];
  const base = nextId('hours');
  let text = String(value || '').trim();
  let week = parseHours(text);
  let representable = week !== null;
  if (!week) week = emptyWeek();
  let controller = null;

  const errorId = `${base}-error`;
  const error = h('p', { class: 'field-error', id: errorId, 'aria-live': 'polite' });
  const osmId = `${base}-osm`;
  const osm = h('input', {
    id: osmId, name, type: 'text', class: 'osm-input', spellcheck: 'false', autocomplete: 'off',
    autocapitalize: 'off', maxlength: 500, translate: 'no', 'aria-describedby': `${base}-osm-hint ${errorId}`,
  });
  osm.value = text;
  const grid = h('div', { class: 'week-grid' });
  const gridBox = h('fieldset', { class: 'week-box' }, h('legend', { class: 'visually-hidden' }, label), grid);
  const unrepresentable = h('p', { class: 'note', role: 'status' });
  const written = h('code', { class: 'osm-written', translate: 'no' });
  const preview = h('div', { class: 'hours-preview-box', 'aria-live': 'polite' });
  const advanced = h('details', { class: 'advanced', open: !representable || null },
    h('summary', {}, t('console_hours_advanced')),
    h('label', { for: osmId }, t('console_hours_osm_label')),
    osm,
    h('p', { class: 'hint', id: `${base}-osm-hint` }, t('console_hours_osm_hint')));

  const runPreview = debounce(async () => {
    controller?.abort();
    if (!text) {
      preview.replaceChildren(h('p', { class: 'hint' }, t('hours_unknown')));
      return;
    }
    controller = new AbortController();
    const asked = text;
    preview.setAttribute('aria-busy', 'true');
    try {
      const answer = await api('/hours/preview', {
        method: 'POST', json: { opening_hours: asked }, signal: controller.signal,
      });
      if (asked !== text) return;
      error.textContent = '';
      osm.removeAttribute('aria-invalid');
      root.classList.remove('invalid');
      preview.replaceChildren(
        h('p', { class: 'meta preview-now' }, openBadge(answer.open_now), ' ',
          h('span', {}, nextChangeText(answer.open_now, answer.next_change) || '')),
        weekTable(answer.schedule || [], t('console_hours_preview'), 'hours hours-preview'));
    } catch (problem) {
      if (problem.name === 'AbortError' || asked !== text) return;
      if (problem.status === 422) {
        const detail = problem.fields.find((f) => f.field === name) || problem.fields[0];
        error.textContent = detail?.message || problem.message;
        osm.setAttribute('aria-invalid', 'true');
        root.classList.add('invalid');
        preview.replaceChildren(h('p', { class: 'hint' }, t('console_hours_preview_invalid')));
      } else {
        preview.replaceChildren(h('p', { class: 'hint' }, t('console_hours_preview_unavailable')));
      }
    } finally {
      preview.removeAttribute('aria-busy');
    }
  }, 350);

  function changed({ fromGrid }) {
    if (fromGrid) {
      const problem = weekProblem(week, dayName);
      error.textContent = problem || '';
      root.classList.toggle('invalid', Boolean(problem));
      if (problem) return;
      text = formatHours(week);
      osm.value = text;
    }
    written.textContent = text || '—';
    onChange?.(text);
    runPreview();
  }

  function rangeRow(spec, i, j, labelText) {
    const range = spec.ranges[j];
    const overnight = h('span', { class: 'overnight' });
    const markOvernight = () => {
      overnight.textContent = range.to && range.from && range.to < range.from
        ? t('console_hours_next_day') : '';
    };
    // Only the model and the mark change while a time is typed: redrawing would move the
    // caret back to the hours while the minutes are being typed.
    const input = (key, text) => {
      const id = `${base}-${i}-${j}-${key}`;
      const el = h('input', { id, type: 'time', value: range[key], required: true });
      el.addEventListener('input', () => {
        range[key] = el.value;
        markOvernight();
        changed({ fromGrid: true });
      });
      return [h('label', { for: id, class: 'visually-hidden' }, text), el];
    };
    markOvernight();
    return h('li', { class: 'range' },
      input('from', t('console_hours_opens_label', { day: labelText, n: j + 1 })),
      h('span', { 'aria-hidden': 'true' }, '–'),
      input('to', t('console_hours_closes_label', { day: labelText, n: j + 1 })),
      h('button', {
        type: 'button', class: 'icon',
        'aria-label': t('console_hours_remove_range', { day: labelText, n: j + 1 }),
        onclick: () => {
          spec.ranges.splice(j, 1);
          if (!spec.ranges.length) spec.mode = 'closed';
          drawGrid(`#${CSS.escape(`${base}-${i}-mode`)}`);
          changed({ fromGrid: true });
        },
      }, '×'),
      overnight);
  }

  function dayRow(spec, i, labelText, modes) {
    const modeId = `${base}-${i}-mode`;
    const copyId = `${base}-${i}-copy`;
    const select = h('select', { id: modeId },
      modes.map(([mode, text]) => h('option', { value: mode, selected: spec.mode === mode }, text)));
    select.addEventListener('change', () => {
      spec.mode = select.value;
      if (spec.mode === 'open' && !spec.ranges.length) spec.ranges.push({ from: '08:00', to: '22:00' });
      if (spec.mode !== 'open') spec.ranges = [];
      drawGrid(`#${CSS.escape(modeId)}`);
      changed({ fromGrid: true });
    });
    const previous = i > 0 && i < 7 ? week.days[i - 1] : null;
    const addButton = spec.mode === 'open' ? h('button', {
      type: 'button', class: 'add-range',
      onclick: () => {
        spec.ranges.push(nextRange(spec.ranges[spec.ranges.length - 1]));
        drawGrid(`#${CSS.escape(`${base}-${i}-${spec.ranges.length - 1}-from`)}`);
        changed({ fromGrid: true });
      },
    }, t('console_hours_add_range'), h('span', { class: 'visually-hidden' }, ` (${labelText})`)) : null;
    const copyButton = previous ? h('button', {
      type: 'button', class: 'copy-day', id: copyId,
      onclick: () => {
        week.days[i] = structuredClone(previous);
        drawGrid(`#${CSS.escape(copyId)}`);
        changed({ fromGrid: true });
      },
    }, t('console_hours_same_as', { day: names[i - 1] })) : null;
    return h('div', { class: `day day-${spec.mode}`, role: 'group', 'aria-labelledby': `${modeId}-label` },
      h('div', { class: 'day-head' },
        h('label', { for: modeId, id: `${modeId}-label`, class: 'day-name' }, labelText),
        select),
      spec.mode === 'open' ? h('ul', { class: 'ranges' }, spec.ranges.map((_, j) => rangeRow(spec, i, j, labelText))) : null,
      addButton || copyButton ? h('div', { class: 'day-actions' }, addButton, copyButton) : null);
  }

  function drawGrid(focusSelector) {
    const dayModes = [
      ['open', t('console_hours_mode_open')],
      ['allday', t('console_hours_mode_allday')],
      ['closed', t('console_hours_mode_closed')],
    ];
    const phModes = [['normal', t('console_hours_mode_normal')], ...dayModes];
    grid.replaceChildren(
      ...week.days.map((spec, i) => dayRow(spec, i, names[i], dayModes)),
      dayRow(week.ph, 7, t('console_hours_holidays'), phModes));
    gridBox.disabled = !representable;
    unrepresentable.textContent = representable ? '' : t('console_hours_not_representable');
    if (focusSelector) grid.querySelector(focusSelector)?.focus();
  }

  osm.addEventListener('input', () => {
    text = osm.value.trim();
    const parsed = parseHours(text);
    representable = parsed !== null;
    if (parsed) week = parsed;
    drawGrid();
    error.textContent = '';
    changed({ fromGrid: false });
  });

  const root = h('fieldset', { class: 'hours-editor', dataset: { field: name } },
    h('legend', {}, label),
    h('p', { class: 'hint' }, t('console_hours_intro')),
    unrepresentable,
    gridBox,
    advanced,
    h('p', { class: 'osm-line' }, t('console_hours_written'), ' ', written),
    error,
    h('h3', { class: 'preview-heading' }, t('console_hours_preview')),
    preview);
  drawGrid();
  written.textContent = text || '—';
  runPreview();

  root.value = () => text;
  root.problem = () => (representable ? weekProblem(week, dayName) : null);
  root.destroy = () => controller?.abort();
  return root;
}

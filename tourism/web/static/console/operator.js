// The bike-share operator's screen: every station's health from GET /operator/stations —
// bikes, free docks, the last report, and which are stale (no report for 5 minutes at the
// API's clock), never reported, empty or full — in a table that sorts by any column.
import { api } from '../api.js';
import { h } from '../dom.js';
import { formatDateTime, formatTime, localName, t } from '../i18n.js';
import * as ui from './ui.js';

// Worst first: the order of the state column, and of the counts.
const STATES = ['stale', 'never_reported', 'empty', 'full', 'ok'];
const REFRESH_MS = 60_000;

function stateLabel(state) {
  return {
    stale: t('console_state_stale'),
    never_reported: t('console_state_never_reported'),
    empty: t('console_state_empty'),
    full: t('console_state_full'),
    ok: t('console_state_ok'),
  }[state] || state;
}

// Text and a mark, not colour alone.
const MARKS = { stale: '!', never_reported: '?', empty: '○', full: '●', ok: '✓' };

export function stateBadge(state) {
  return h('span', { class: `badge state-badge state-${state}` },
    h('span', { class: 'state-mark', 'aria-hidden': 'true' }, MARKS[state] || '•'), ' ', stateLabel(state));
}

const count = (n) => (n === null || n === undefined ? '–' : String(n));

function columns(now) { // now(): the API's clock at the last load
  return [
    {
      key: 'name',
      label: t('console_station'),
      value: (s) => localName(s),
      cell: (s) => h('span', {}, h('a', { href: `/stations/${encodeURIComponent(s.station_id)}`, target: '_blank', rel: 'noopener' }, localName(s)),
        h('span', { class: 'secondary', translate: 'no' }, s.station_id)),
    },
    {
      key: 'state',
      label: t('console_state'),
      value: (s) => STATES.indexOf(s.state),
      cell: (s) => h('span', { class: 'state-cell' }, stateBadge(s.state),
        s.is_installed === false ? h('span', { class: 'flag' }, t('console_station_not_installed')) : null,
        s.is_renting === false ? h('span', { class: 'flag' }, t('station_not_renting')) : null,
        s.is_returning === false ? h('span', { class: 'flag' }, t('station_not_returning')) : null),
    },
    { key: 'bikes', label: t('console_bikes'), numeric: true, value: (s) => s.num_bikes_available, cell: (s) => count(s.num_bikes_available) },
    { key: 'docks', label: t('console_docks'), numeric: true, value: (s) => s.num_docks_available, cell: (s) => count(s.num_docks_available) },
    { key: 'capacity', label: t('console_capacity'), numeric: true, value: (s) => s.capacity, cell: (s) => count(s.capacity) },
    {
      key: 'last_reported',
      label: t('console_last_report'),
      value: (s) => (s.last_reported ? Date.parse(s.last_reported) : null),
      cell: (s) => (s.last_reported
        ? h('time', { datetime: s.last_reported, title: formatDateTime(s.last_reported) }, ui.ago(s.last_reported, now()))
        : t('console_never')),
    },
  ];
}

async function stationsScreen(main) {
  const filter = h('select', {},
    h('option', { value: 'all' }, t('console_filter_all')),
    h('option', { value: 'problems' }, t('console_filter_problems')),
    STATES.map((state) => h('option', { value: state }, stateLabel(state))));
  const refresh = h('button', { type: 'button' }, t('console_refresh'));
  const updated = h('p', { class: 'meta', 'aria-live': 'polite' });
  const counts = h('ul', { class: 'state-counts', 'aria-label': t('console_state_counts') });
  const body = h('div', { class: 'screen-body' });
  let table = null;
  let data = null;

  const shown = () => {
    const wanted = filter.value;
    return data.items.filter((s) => wanted === 'all' || (wanted === 'problems' ? s.state !== 'ok' : s.state === wanted));
  };

  function drawCounts() {
    const totals = data.counts || Object.fromEntries(STATES.map((s) => [s, data.items.filter((i) => i.state === s).length]));
    counts.replaceChildren(...STATES.map((state) => h('li', {}, stateBadge(state), ' ', h('strong', {}, String(totals[state] ?? 0)))));
    updated.textContent = t('console_updated_at', { time: formatTime(data.now || new Date().toISOString()), n: data.items.length });
  }

  function draw() {
    const rows = shown();
    if (!table) {
      table = ui.dataTable({
        caption: t('console_stations_caption'),
        columns: columns(() => data.now || new Date()),
        rows,
        sort: { key: 'state', dir: 'asc' },
        rowAttrs: (s) => ({ class: `state-row-${s.state}`, dataset: { station: s.station_id } }),
      });
    } else {
      table.update(rows);
    }
    return rows.length ? table : [table, ui.emptyState(t('console_no_stations_shown'))];
  }

  const load = async () => {
    // every station, a page of 100 at a time (the API's largest), following next_cursor
    let answer = await api('/operator/stations', { params: { limit: 100 } });
    const items = [...answer.items];
    while (answer.next_cursor) {
      answer = await api('/operator/stations', { params: { limit: 100, cursor: answer.next_cursor } });
      items.push(...answer.items);
    }
    data = { ...answer, items };
    drawCounts();
    return data;
  };
  // The first load (and a retry) shows its states; a refresh keeps the table, its sort and the
  // focus, and says so when it fails.
  const reload = () => ui.loadInto(body, load, draw);
  const quietReload = async () => {
    if (!table || !body.contains(table)) return reload();
    try {
      await load();
      body.replaceChildren(...[draw()].flat());
      return true;
    } catch (error) {
      ui.toast(ui.errorMessage(error), { kind: 'error' });
      return false;
    }
  };
  filter.addEventListener('change', () => { if (data) body.replaceChildren(...[draw()].flat()); });
  refresh.addEventListener('click', async () => {
    refresh.disabled = true;
    if (await quietReload()) ui.toast(t('console_refreshed'));
    refresh.disabled = false;
  });

  main.replaceChildren(
    ui.pageHeading(t('console_operator_title'), { lead: t('console_operator_lead') }),
    h('div', { class: 'toolbar' },
      ui.field({ name: 'state_filter', label: t('console_filter'), control: filter }),
      refresh),
    updated,
    counts,
    body);
  await reload();
  const timer = setInterval(() => { if (!document.hidden) quietReload(); }, REFRESH_MS);
  return () => clearInterval(timer);
}

export const screens = [
  { path: /^\/console\/operator$/, roles: ['operator', 'admin'], title: 'console_operator_title', render: stationsScreen },
];

export function homeCards(ctx) {
  if (!['operator', 'admin'].includes(ctx.user.role)) return [];
  return [{
    title: 'console_operator_title',
    href: '/console/operator',
    // every station is counted in `counts`, whatever the page holds
    count: ctx.api('/operator/stations', { params: { limit: 1 } }).then((d) => d.total - d.counts.ok),
    countLabel: 'console_count_problems',
  }];
}

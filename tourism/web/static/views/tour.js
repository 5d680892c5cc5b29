// /tours?dishes=a,b|surprise=4&minutes=180&mode=walk|bike|auto[&start_at=...]
//   &station_id=...|from=here|lat=&lon=: the food-tour planner (issue #17).
// The address is the form: a plan is a link to share, Back shows the previous plan, and an
// address that names the dishes and the start plans at once.
import { api } from '../api.js';
import { announce, h } from '../dom.js';
import { errorText } from '../errors.js';
import { knownPosition, locate } from '../geo.js';
import {
  TZ, currentLang, formatDistance, formatTime, localName, t,
} from '../i18n.js';
import { CITY_CENTRE, createMap } from '../map.js';
import { failureNotice, unavailableReason } from './lists.js';
import { dishName, placeName, price } from './parts.js';

const MAX_DISHES = 8;
const SURPRISE = 4;
const CHIPS_FIRST = 12; // the most popular; the others behind "more dishes"
const DURATIONS = [60, 120, 180, 240, 360];
const DEFAULT_MINUTES = 180;
const MODES = ['walk', 'bike', 'auto'];
const STATION_RADIUS_M = 20000;
const STATION_LIMIT = 100; // the API's largest page
const MAX_DAYS_AHEAD = 7;
// Hai Phong keeps +07:00 all year (no summer time), so a wall-clock time there is this.
const HAI_PHONG_OFFSET = '+07:00';
// Walk and bike legs apart by colour and by dash, for those who do not see the colours.
const COLOURS = { walk: '#1d4ed8', bike: '#7c3aed', stop: '#8f2418', start: '#1c1917' };

const MODE_WORDS = {
  walk: () => t('tour_mode_walk'), bike: () => t('tour_mode_bike'), auto: () => t('tour_mode_auto'),
};
// Why a wanted dish is not in the tour, by the API's reason code.
const REASONS = {
  not_served: () => t('tour_reason_not_served'),
  not_open: () => t('tour_reason_not_open'),
  over_budget: () => t('tour_reason_over_budget'),
  too_far: () => t('tour_reason_too_far'),
  no_time: () => t('tour_reason_no_time'),
};

// -- the address ------------------------------------------------------------------------------

function readAddress(params) {
  const dishes = (params.get('dishes') || '').split(',').map((s) => s.trim()).filter(Boolean);
  const lat = params.get('lat');
  const lon = params.get('lon');
  return {
    dishes,
    surprise: params.get('surprise') || '',
    minutes: params.get('minutes') || '',
    mode: params.get('mode') || '',
    startAt: params.get('start_at') || '',
    stationId: params.get('station_id') || '',
    fromHere: params.get('from') === 'here',
    point: lat && lon ? { lat, lon } : null,
  };
}

const canPlan = (a) => (a.dishes.length || a.surprise) && (a.stationId || a.fromHere || a.point);

// Commas and colons stay readable in a shared link; "+" must not (it would read as a space).
const query = (params) => params.toString().replaceAll('%2C', ',').replaceAll('%3A', ':');

// -- Hai Phong's wall clock -------------------------------------------------------------------

// "YYYY-MM-DDTHH:MM" in Hai Phong, the value a datetime-local input takes, whatever the
// browser's own zone.
function wallClock(date) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(date).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

const rfc3339 = (value) => `${value}:00${HAI_PHONG_OFFSET}`;

function durationText(minutes) {
  const hours = Math.floor(minutes / 60);
  const rest = Math.round(minutes % 60);
  if (!hours) return t('tour_duration_m', { m: rest });
  return rest ? t('tour_duration_hm', { h: hours, m: rest }) : t('tour_duration_h', { h: hours });
}

// -- the form ---------------------------------------------------------------------------------

function dishChip(dish, pressed) {
  const english = currentLang() === 'en' && dish.name_en;
  return h('button', {
    type: 'button', class: 'chip dish-toggle', 'aria-pressed': String(pressed), dataset: { slug: dish.slug },
  },
  english ? [h('span', {}, dish.name_en), ' ', h('span', { class: 'chip-vi', lang: 'vi' }, dish.name_vi)]
    : h('span', { lang: 'vi' }, dish.name_vi));
}

function radio(name, value, label, checked) {
  const id = `tour-${name}-${value}`;
  return h('span', { class: 'segment' },
    h('input', { type: 'radio', name, value, id, checked }),
    h('label', { for: id }, label));
}

function tourForm({ address, dishes, stations, onPlan }) {
  const popular = dishes
    .filter((d) => d.eatery_count > 0 || address.dishes.includes(d.slug))
    .sort((a, b) => b.eatery_count - a.eatery_count || a.name_vi.localeCompare(b.name_vi, 'vi'));
  const chosen = new Set(address.dishes.filter((slug) => popular.some((d) => d.slug === slug)));
  const chips = popular.map((d) => dishChip(d, chosen.has(d.slug)));
  const chipItems = chips.map((chip, i) => h('li', { hidden: i >= CHIPS_FIRST && !chosen.has(popular[i].slug) }, chip));
  const hiddenCount = () => chipItems.filter((li) => li.hidden).length;
  const moreDishes = h('button', { type: 'button', class: 'link more-dishes-toggle' });
  const chosenCount = h('p', { class: 'hint chosen-count', 'aria-live': 'polite' });
  const surprise = h('input', { type: 'checkbox', id: 'tour-surprise', checked: Boolean(address.surprise) });
  const dishBox = h('fieldset', { class: 'tour-dishes' },
    h('legend', {}, t('tour_dishes_legend', { n: MAX_DISHES })),
    h('ul', { class: 'chips' }, chipItems),
    moreDishes,
    chosenCount);

  function showChoice() {
    const full = chosen.size >= MAX_DISHES;
    chips.forEach((chip) => {
      const on = chosen.has(chip.dataset.slug);
      chip.setAttribute('aria-pressed', String(on));
      // aria-disabled, not disabled: the button stays in the tab order and says why
      chip.setAttribute('aria-disabled', String(full && !on));
    });
    chosenCount.textContent = full
      ? t('tour_dishes_full', { n: MAX_DISHES })
      : t('tour_dishes_chosen', { n: chosen.size, max: MAX_DISHES });
    dishBox.disabled = surprise.checked;
    moreDishes.hidden = !hiddenCount();
    moreDishes.textContent = t('tour_more_dishes', { n: hiddenCount() });
  }
  chips.forEach((chip) => chip.addEventListener('click', () => {
    const { slug } = chip.dataset;
    if (chosen.has(slug)) chosen.delete(slug);
    else if (chosen.size < MAX_DISHES) chosen.add(slug);
    else announce(t('tour_dishes_full', { n: MAX_DISHES }));
    showChoice();
  }));
  moreDishes.addEventListener('click', () => {
    const first = chipItems.find((li) => li.hidden);
    chipItems.forEach((li) => { li.hidden = false; });
    showChoice();
    first?.querySelector('button').focus();
  });
  surprise.addEventListener('change', showChoice);

  // When: now, or a time in Hai Phong within the next week.
  const nowValue = wallClock(new Date());
  const later = Boolean(address.startAt);
  const startNow = h('input', { type: 'checkbox', id: 'tour-now', checked: !later });
  const when = h('input', {
    type: 'datetime-local', id: 'tour-when', name: 'start_at', step: 60,
    min: nowValue.slice(0, 11) + '00:00', max: wallClock(new Date(Date.now() + MAX_DAYS_AHEAD * 86400000)),
  });
  when.value = later && !Number.isNaN(Date.parse(address.startAt)) ? wallClock(new Date(address.startAt)) : nowValue;
  const whenField = h('p', { class: 'field', hidden: !later },
    h('label', { for: 'tour-when' }, t('tour_when_label')), when,
    h('span', { class: 'hint' }, t('tour_when_hint')));
  startNow.addEventListener('change', () => {
    whenField.hidden = startNow.checked;
    if (!startNow.checked) when.focus();
  });

  // How long: the usual lengths, or the address's own number of minutes.
  const wantedMinutes = Number(address.minutes) || DEFAULT_MINUTES;
  const lengths = DURATIONS.includes(wantedMinutes) ? DURATIONS : [...DURATIONS, wantedMinutes].sort((a, b) => a - b);
  const length = h('select', { id: 'tour-minutes', name: 'minutes' },
    lengths.map((m) => h('option', { value: m, selected: m === wantedMinutes }, durationText(m))));

  const mode = MODES.includes(address.mode) ? address.mode : 'walk';
  const modes = h('fieldset', { class: 'segments' },
    h('legend', {}, t('tour_mode_legend')),
    MODES.map((m) => radio('mode', m, MODE_WORDS[m](), m === mode)));

  const fromStation = Boolean(address.stationId) || (!address.fromHere && !address.point);
  const stationSelect = h('select', { id: 'tour-station', name: 'station_id' },
    stations.map((s) => h('option', { value: s.station_id, selected: s.station_id === address.stationId }, localName(s))));
  const stationField = h('p', { class: 'field', hidden: !fromStation },
    h('label', { for: 'tour-station' }, t('tour_station_label')), stationSelect);
  const starts = h('fieldset', { class: 'segments' },
    h('legend', {}, t('tour_start_legend')),
    radio('start', 'here', t('tour_start_here'), !fromStation),
    radio('start', 'station', t('tour_start_station'), fromStation));
  starts.addEventListener('change', () => {
    stationField.hidden = starts.querySelector('input:checked').value !== 'station';
  });

  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h('form', { class: 'tour-form', novalidate: true },
    dishBox,
    h('p', { class: 'check surprise' }, surprise, h('label', { for: 'tour-surprise' }, t('tour_surprise', { n: SURPRISE }))),
    h('p', { class: 'check' }, startNow, h('label', { for: 'tour-now' }, t('tour_start_now'))),
    whenField,
    h('p', { class: 'field' }, h('label', { for: 'tour-minutes' }, t('tour_minutes_label')), length),
    modes,
    starts,
    stationField,
    error,
    h('button', { type: 'submit', class: 'primary plan-button' }, t('tour_plan_button')));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.textContent = '';
    if (!surprise.checked && !chosen.size) {
      error.textContent = t('tour_choose_a_dish');
      chips[0]?.focus();
      return;
    }
    const next = new URLSearchParams();
    // in the order they were shown: the same choice makes the same link
    if (surprise.checked) next.set('surprise', SURPRISE);
    else next.set('dishes', popular.map((d) => d.slug).filter((slug) => chosen.has(slug)).join(','));
    next.set('minutes', length.value);
    next.set('mode', form.elements.mode.value);
    if (!startNow.checked && when.value) next.set('start_at', rfc3339(when.value));
    if (form.elements.start.value === 'station' && stationSelect.value) next.set('station_id', stationSelect.value);
    else next.set('from', 'here');
    onPlan(next);
  });

  showChoice();
  return {
    form,
    // The position was refused: start from a station instead.
    chooseStation() {
      starts.querySelector('input[value="station"]').checked = true;
      stationField.hidden = false;
    },
  };
}

// -- the answer -------------------------------------------------------------------------------

function stationLink(station, extra) {
  return [h('a', { href: `/stations/${encodeURIComponent(station.station_id)}` }, localName(station)),
    ` (${extra})`];
}

function legLine(leg) {
  const how = { min: leg.minutes, d: formatDistance(leg.distance_m) };
  if (leg.mode !== 'bike') {
    return h('li', { class: 'tour-leg leg-walk', dataset: { mode: 'walk' } },
      h('span', { class: 'leg-icon', 'aria-hidden': 'true' }), t('tour_leg_walk', how));
  }
  const { pick_up: pickUp, drop_off: dropOff } = leg;
  return h('li', { class: 'tour-leg leg-bike', dataset: { mode: 'bike' } },
    h('span', { class: 'leg-icon', 'aria-hidden': 'true' }),
    h('span', {}, t('tour_leg_bike', how), ' ',
      pickUp ? [t('tour_leg_from'), ' ', h('span', { class: 'pick-up' },
        stationLink(pickUp, t('bikes_available', { n: pickUp.num_bikes_available ?? '–' })))] : null,
      ' ',
      dropOff ? [t('tour_leg_to'), ' ', h('span', { class: 'drop-off' },
        stationLink(dropOff, t('docks_available', { n: dropOff.num_docks_available ?? '–' })))] : null));
}

// A walk of nothing (the start is the pick-up station) is not worth a line.
const legList = (legs) => {
  const shown = legs.filter((leg) => leg.distance_m > 0 || leg.minutes > 0);
  return shown.length ? h('ul', { class: 'tour-legs' }, shown.map(legLine)) : null;
};

// The legs to each stop, and after the last stop those to the end (when there is one).
function legsByStop(plan) {
  const groups = [[]];
  for (const leg of plan.legs) {
    groups.at(-1).push(leg);
    if (leg.to?.kind === 'eatery' && groups.length <= plan.stops.length) groups.push([]);
  }
  while (groups.length <= plan.stops.length) groups.push([]);
  return groups;
}

const timeEl = (iso) => h('time', { datetime: iso }, formatTime(iso));

function stopItem(stop, n, legs) {
  const { eatery } = stop;
  const first = stop.dishes[0]?.slug;
  const href = `/eateries/${eatery.id}${first ? `?dish=${encodeURIComponent(first)}` : ''}`;
  return h('li', { class: 'tour-stop', id: `stop-${n}`, dataset: { eateryId: eatery.id } },
    legList(legs),
    h('div', { class: 'card stop-card' },
      h('span', { class: 'stop-number', 'aria-hidden': 'true' }, String(n)),
      h('h3', {}, h('a', { href }, h('span', { class: 'visually-hidden' }, `${t('tour_stop_n', { n })}: `), placeName(eatery))),
      h('ul', { class: 'stop-dishes' }, stop.dishes.map((d) => h('li', {}, dishName(d), ' ', price(d.price_vnd)))),
      h('p', { class: 'stop-times' }, t('tour_arrive'), ' ', timeEl(stop.arrive_at), ' – ', t('tour_leave'), ' ', timeEl(stop.leave_at)),
      // Early for an eatery that opens later: say so, or the stay looks long for no reason.
      stop.meal_at && stop.meal_at !== stop.arrive_at
        ? h('p', { class: 'stop-wait meta' }, t('tour_wait_until', { time: formatTime(stop.meal_at) }))
        : null,
      h('p', { class: 'stop-open meta' },
        stop.closes_at ? [t('tour_open_until', { time: formatTime(stop.closes_at) }), ' · '] : null,
        t('tour_slack', { n: stop.slack_minutes })),
      eatery.address ? h('p', { class: 'address' }, eatery.address) : null));
}

function uncoveredList(plan, dishesBySlug) {
  if (!plan.uncovered?.length) return null;
  return h('section', { class: 'tour-uncovered', 'aria-labelledby': 'tour-uncovered-heading' },
    h('h3', { id: 'tour-uncovered-heading' }, t('tour_uncovered_heading')),
    h('ul', {}, plan.uncovered.map((u) => {
      const dish = dishesBySlug.get(u.slug);
      return h('li', { dataset: { slug: u.slug, reason: u.reason } },
        h('strong', { lang: dish ? (currentLang() === 'en' && dish.name_en ? 'en' : 'vi') : null }, dish ? localName(dish) : u.slug),
        ': ', REASONS[u.reason]?.() ?? t('tour_reason_other'));
    })));
}

function startText(plan, stations) {
  const station = plan.start?.station_id && stations.find((s) => s.station_id === plan.start.station_id);
  if (station) return t('tour_start_at_station', { name: localName(station) });
  if (plan.start?.name) return t('tour_start_at_station', { name: plan.start.name });
  return t('tour_start_at_here');
}

function planView(plan, { stations, dishesBySlug }) {
  const groups = legsByStop(plan);
  const { totals } = plan;
  const notes = [
    plan.optimal === false ? h('p', { class: 'tour-note', dataset: { note: 'not-optimal' } }, t('tour_not_optimal')) : null,
    plan.distance_source === 'estimate'
      ? h('p', { class: 'tour-note', dataset: { note: 'estimate' } }, t('tour_estimate')) : null,
  ];
  if (!plan.stops.length) {
    return [
      h('h2', { id: 'tour-result-heading', tabindex: '-1' }, t('tour_empty_heading')),
      h('div', { class: 'notice notice-empty', dataset: { reason: 'empty' } },
        h('p', {}, t('tour_empty', { from: formatTime(plan.start_at), to: formatTime(plan.ends_by) }))),
      uncoveredList(plan, dishesBySlug),
      notes,
    ];
  }
  const fare = totals.bike_fare_vnd ? [' · ', t('tour_total_bike'), ' ', price(totals.bike_fare_vnd)] : null;
  return [
    h('h2', { id: 'tour-result-heading', tabindex: '-1' },
      t('tour_result_heading', { from: formatTime(plan.start_at), to: formatTime(plan.ends_by) })),
    h('p', { class: 'tour-totals' },
      h('span', { class: 'total-time' }, t('tour_total_time', {
        total: durationText(totals.minutes), travel: durationText(totals.travel_minutes),
      })),
      ' · ', h('span', { class: 'total-distance' }, formatDistance(totals.distance_m)),
      ' · ', t('tour_total_food'), ' ', price(totals.food_vnd), fare),
    h('p', { class: 'tour-start' }, h('span', { class: 'start-dot', 'aria-hidden': 'true' }),
      h('span', {}, timeEl(plan.start_at), ' · ', startText(plan, stations))),
    h('ol', { class: 'tour-stops' }, plan.stops.map((stop, i) => stopItem(stop, i + 1, groups[i]))),
    groups[plan.stops.length]?.length
      ? h('div', { class: 'tour-finish' }, legList(groups[plan.stops.length]), h('p', {}, t('tour_finish'))) : null,
    uncoveredList(plan, dishesBySlug),
    notes,
  ];
}

function problemNotice(problem, retry) {
  if (unavailableReason(problem) || problem?.status >= 500) return failureNotice(problem, retry);
  return h('div', { class: 'notice notice-error', dataset: { reason: problem?.status === 422 ? 'invalid' : 'error' } },
    h('p', { role: 'alert' }, errorText(problem, {}, { minutes: t('tour_minutes_label') })));
}

// -- the map ----------------------------------------------------------------------------------

const point = (lon, lat, properties) => ({
  type: 'Feature', geometry: { type: 'Point', coordinates: [Number(lon), Number(lat)] }, properties,
});

function tourFeatures(plan) {
  const lines = plan.legs.filter((leg) => leg.from && leg.to).map((leg) => ({
    type: 'Feature',
    geometry: { type: 'LineString', coordinates: [[leg.from.lon, leg.from.lat], [leg.to.lon, leg.to.lat]] },
    properties: { kind: 'leg', mode: leg.mode === 'bike' ? 'bike' : 'walk' },
  }));
  const bikeStations = plan.legs.filter((leg) => leg.mode === 'bike')
    .flatMap((leg) => [leg.pick_up, leg.drop_off]).filter(Boolean)
    .map((s) => point(s.lon, s.lat, { kind: 'station' }));
  const stops = plan.stops.map((stop, i) => {
    const [lon, lat] = stop.eatery.location.coordinates;
    return point(lon, lat, { kind: 'stop', n: String(i + 1) });
  });
  const start = plan.start?.lat != null ? [point(plan.start.lon, plan.start.lat, { kind: 'start' })] : [];
  return { type: 'FeatureCollection', features: [...lines, ...bikeStations, ...start, ...stops] };
}

function drawTour(mapped, container, plan) {
  const { map } = mapped;
  const collection = tourFeatures(plan);
  map.addSource('tour', { type: 'geojson', data: collection });
  const legLayer = (mode, paint) => map.addLayer({
    id: `tour-${mode}`, type: 'line', source: 'tour',
    filter: ['all', ['==', ['get', 'kind'], 'leg'], ['==', ['get', 'mode'], mode]],
    layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: { 'line-color': COLOURS[mode], ...paint },
  });
  legLayer('walk', { 'line-width': 3, 'line-dasharray': [1.5, 1.5] });
  legLayer('bike', { 'line-width': 5 });
  map.addLayer({
    id: 'tour-points', type: 'circle', source: 'tour',
    filter: ['==', ['geometry-type'], 'Point'],
    paint: {
      'circle-radius': ['match', ['get', 'kind'], 'stop', 12, 'start', 8, 6],
      'circle-color': ['match', ['get', 'kind'], 'stop', COLOURS.stop, 'start', COLOURS.start, COLOURS.bike],
      'circle-stroke-color': '#ffffff',
      'circle-stroke-width': 2,
    },
  });
  // No glyphs URL in the style: MapLibre draws the numbers with the device's own font.
  map.addLayer({
    id: 'tour-numbers', type: 'symbol', source: 'tour',
    filter: ['==', ['get', 'kind'], 'stop'],
    layout: { 'text-field': ['get', 'n'], 'text-size': 13, 'text-allow-overlap': true, 'text-ignore-placement': true },
    paint: { 'text-color': '#ffffff' },
  });
  map.on('click', 'tour-points', (event) => {
    const n = event.features[0]?.properties.n;
    if (n) document.getElementById(`stop-${n}`)?.scrollIntoView({ block: 'nearest' });
  });
  const points = collection.features.filter((f) => f.geometry.type === 'Point');
  if (points.length) mapped.fit({ features: points });
  // Drawn, not merely asked for: tests and screenshots wait for these.
  map.once('idle', () => {
    container.dataset.stops = String(plan.stops.length);
    container.dataset.legs = String(plan.legs.length);
  });
}

function tourLegend() {
  return h('ul', { class: 'legend tour-legend', 'aria-label': t('legend_label') },
    h('li', {}, h('span', { class: 'stop-dot', 'aria-hidden': 'true' }, '1'), t('tour_legend_stop')),
    h('li', {}, h('span', { class: 'start-dot', 'aria-hidden': 'true' }), t('tour_legend_start')),
    h('li', {}, h('span', { class: 'leg-key leg-key-walk', 'aria-hidden': 'true' }), t('tour_legend_walk')),
    h('li', {}, h('span', { class: 'leg-key leg-key-bike', 'aria-hidden': 'true' }), t('tour_legend_bike')));
}

// -- the page ---------------------------------------------------------------------------------

export async function tourView(main, { params, navigate, restore = false }) {
  document.title = `${t('tour_title')} · ${t('brand')}`;
  const address = readAddress(params);
  const [dishes, stations] = await Promise.all([
    api('/dishes', { params: { limit: 100 } }).then((d) => d.items),
    // a start from a station is one choice of two: without the list, "my position" still works
    api('/stations/nearby', {
      params: { lat: CITY_CENTRE[1], lon: CITY_CENTRE[0], radius_m: STATION_RADIUS_M, limit: STATION_LIMIT },
    }).then((d) => d.items).catch(() => []),
  ]);
  const dishesBySlug = new Map(dishes.map((d) => [d.slug, d]));
  const url = `${window.location.pathname}${window.location.search}`;

  const planning = Boolean(canPlan(address));
  const form = tourForm({
    address, dishes, stations,
    onPlan: (next) => navigate(`/tours?${query(next)}`, { replace: `?${query(next)}` === window.location.search }),
  });
  const formBox = h('details', { class: 'tour-form-box', open: !planning },
    h('summary', {}, t('tour_change')),
    form.form);
  // What went wrong goes above the form, which opens to put it right: on a phone the form is
  // taller than the screen, and a message under it would go unseen.
  const alertBox = h('div', { class: 'tour-alert' });
  const result = h('section', { class: 'tour-result', 'aria-labelledby': 'tour-result-heading' });
  const mapBox = h('div', { class: 'map tour-map', id: 'map', role: 'region', 'aria-label': t('tour_map_label') });
  const mapColumn = h('div', { class: 'map-column tour-map-column', hidden: true }, mapBox, tourLegend());

  main.replaceChildren(
    h('h1', { tabindex: '-1' }, t('tour_title')),
    h('p', { class: 'lead' }, t('tour_lead')),
    h('div', { class: 'tour-layout' }, h('div', { class: 'tour-main' }, alertBox, formBox, result), mapColumn));
  if (!planning) return null;

  let mapReady = null;
  function showPlan(plan) {
    result.replaceChildren(...[planView(plan, { stations, dishesBySlug })].flat(Infinity).filter(Boolean));
    announce(plan.stops.length ? t('tour_planned', { n: plan.stops.length }) : t('tour_empty_heading'));
    if (!plan.stops.length) return;
    mapColumn.hidden = false;
    mapReady = createMap(mapBox, { center: CITY_CENTRE, zoom: 14 });
    mapReady.then(async (mapped) => {
      if (!mapped) return;
      await mapped.whenReady();
      drawTour(mapped, mapBox, plan);
    });
  }

  async function startPoint() {
    if (address.stationId) return { station_id: address.stationId };
    if (address.point) return address.point;
    const position = knownPosition() || (await locate());
    return { lat: position.lat, lon: position.lon };
  }

  async function plan() {
    alertBox.replaceChildren();
    result.setAttribute('aria-busy', 'true');
    result.replaceChildren(
      h('p', { class: 'loading', role: 'status' }, t('tour_planning')),
      h('div', { class: 'tour-skeleton card skeleton', 'aria-hidden': 'true' },
        h('span', { class: 'bar bar-title' }), h('span', { class: 'bar' }), h('span', { class: 'bar bar-short' })));
    try {
      let start;
      try {
        start = await startPoint();
      } catch {
        // No position (refused, or none to be had): a station will do.
        form.chooseStation();
        formBox.open = true;
        result.replaceChildren();
        alertBox.replaceChildren(h('div', { class: 'notice', dataset: { reason: 'no-position' } },
          h('p', { role: 'alert' }, t('tour_position_refused'))));
        return;
      }
      const saved = window.history.state?.tour;
      const answer = restore && saved?.url === url && saved.fromHere === address.fromHere ? saved.plan
        : await api('/tours/plan', {
          params: {
            dishes: address.dishes.join(','), surprise: address.surprise, minutes: address.minutes,
            mode: address.mode, start_at: address.startAt, ...start,
          },
        });
      window.history.replaceState({ ...window.history.state, tour: { url, plan: answer, fromHere: address.fromHere } }, '');
      showPlan(answer);
    } catch (problem) {
      result.replaceChildren();
      alertBox.replaceChildren(problemNotice(problem, plan));
      formBox.open = true;
    } finally {
      result.removeAttribute('aria-busy');
    }
  }

  await plan();
  return () => mapReady?.then((mapped) => mapped?.remove());
}

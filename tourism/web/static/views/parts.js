// Pieces more than one page shows.
import { h } from '../dom.js';
import { knownPosition, quietPosition } from '../geo.js';
import {
  currentLang, formatDistance, formatPrice, formatRating, formatTime, formatWeekday, localDay,
  localName, localNameLang, plural, secondaryName, t,
} from '../i18n.js';

export function openBadge(openNow) {
  if (openNow === true) return h('span', { class: 'badge badge-open' }, t('open_now'));
  if (openNow === false) return h('span', { class: 'badge badge-closed' }, t('closed_now'));
  return h('span', { class: 'badge badge-unknown' }, t('hours_unknown'));
}

// Screen readers hear the sentence, not "black star 4,5": a plain span may not carry a label.
export function ratingText(rating, count) {
  if (!count) return h('span', { class: 'rating rating-none' }, t('no_ratings'));
  return h('span', { class: 'rating' },
    h('span', { class: 'visually-hidden' },
      t('rating_spoken', { stars: formatRating(rating), votes: plural('votes', count) })),
    h('span', { 'aria-hidden': 'true' }, `★ ${formatRating(rating)}`),
    ' ',
    h('span', { class: 'votes', 'aria-hidden': 'true' }, `(${plural('votes', count)})`));
}

export const price = (vnd) => h('span', { class: 'price' }, formatPrice(vnd));

export const distance = (metres) =>
  (metres === null || metres === undefined
    ? null
    : h('span', { class: 'distance' }, formatDistance(metres)));

// The name in the reader's language first; the other one smaller under it (in English the
// Vietnamese name is what to say when ordering). Each marked with its language for speech.
function bothNames(item) {
  const first = localNameLang(item);
  const other = secondaryName(item);
  return [
    h('span', { lang: first }, localName(item)),
    other ? h('span', { class: 'secondary', lang: first === 'en' ? 'vi' : 'en' }, other) : null,
  ];
}

export function dishName(dish, tag = 'span') {
  return h(tag, { class: 'dish-name' }, bothNames(dish));
}

export function placeName(place, tag = 'span', attrs = {}) {
  return h(tag, attrs, bothNames(place));
}

const WALKING_DETOUR = 1.3; // streets are not straight lines
const WALKING_M_PER_MIN = 4500 / 60; // 4.5 km/h

function metresBetween(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(s));
}

// Links that open a maps app on any phone (geo: does nothing in iPhone Safari), and with the
// visitor's position (when they shared it) an estimate of the walk.
export function directions([lon, lat]) {
  const to = `${lat},${lon}`;
  const osm = h('a', {
    class: 'button', href: `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=18/${lat}/${lon}`,
    rel: 'noopener', target: '_blank',
  }, 'OpenStreet', h('wbr'), 'Map');
  const walk = h('p', { class: 'walk', hidden: true });
  const fromHere = (here) => {
    if (!here) return;
    osm.href = `https://www.openstreetmap.org/directions?engine=fossgis_osrm_foot&route=${here.lat},${here.lon};${to}`;
    const metres = metresBetween(here, { lat, lon }) * WALKING_DETOUR;
    walk.textContent = t('walk_estimate', {
      d: formatDistance(metres), min: Math.max(1, Math.round(metres / WALKING_M_PER_MIN)),
    });
    walk.hidden = false;
  };
  const known = knownPosition();
  if (known) fromHere(known);
  else quietPosition().then(fromHere);
  return h('section', { class: 'directions', 'aria-labelledby': 'directions-heading' },
    h('h2', { id: 'directions-heading' }, t('directions')),
    walk,
    h('p', {}, t('directions_walking_in')),
    h('p', { class: 'actions' },
      h('a', {
        class: 'button', rel: 'noopener', target: '_blank',
        href: `https://www.google.com/maps/dir/?api=1&destination=${to}&travelmode=walking`,
      }, 'Google Maps'),
      h('a', { class: 'button', rel: 'noopener', target: '_blank', href: `https://maps.apple.com/?daddr=${to}&dirflg=w` },
        'Apple Maps'),
      osm),
    h('p', { class: 'coords-line' }, t('coordinates'), ': ',
      h('span', { class: 'coords', translate: 'no' }, `${lat.toFixed(5)}, ${lon.toFixed(5)}`)));
}

export function stationFacts(station) {
  const facts = [];
  if (!station.is_renting) facts.push(h('span', { class: 'badge badge-closed' }, t('station_not_renting')));
  if (!station.is_returning) facts.push(h('span', { class: 'badge badge-closed' }, t('station_not_returning')));
  if (station.is_stale) facts.push(h('span', { class: 'badge badge-unknown' }, t('station_stale')));
  const count = (n) => (n === null || n === undefined ? '–' : String(n));
  return h('p', { class: 'station-facts' },
    h('span', { class: 'bikes' }, t('bikes_available', { n: count(station.num_bikes_available) })),
    ' · ',
    h('span', { class: 'docks' }, t('docks_available', { n: count(station.num_docks_available) })),
    ...facts.map((f) => [' ', f]));
}

export function stationItem(station) {
  return h('li', { class: 'card station' },
    h('h3', {}, h('a', { href: `/stations/${encodeURIComponent(station.station_id)}` }, placeName(station))),
    station.distance_m !== null && station.distance_m !== undefined
      ? h('p', { class: 'meta' }, distance(station.distance_m)) : null,
    stationFacts(station));
}

// "Closes at 22:00" / "Opens at 06:00 tomorrow" from the API's next_change (Hai Phong time).
export function nextChangeText(openNow, nextChange) {
  if (!nextChange) return openNow ? t('open_always') : null;
  const now = new Date();
  const tomorrow = new Date(now.getTime() + 24 * 3600 * 1000);
  const day = localDay(new Date(nextChange));
  let when = '';
  if (day === localDay(tomorrow)) when = t('tomorrow');
  else if (day !== localDay(now)) when = formatWeekday(nextChange);
  const key = openNow ? 'closes_at' : 'opens_at';
  return t(when ? `${key}_day` : key, { time: formatTime(nextChange), day: when });
}

// A week of opening hours, today (in Hai Phong) marked: the eatery page's and the console's.
export function weekTable(schedule, caption, className = 'hours') {
  return h('table', { class: className },
    h('caption', { class: 'visually-hidden' }, caption),
    h('tbody', {}, schedule.map((day) => h('tr', {
      class: day.is_today ? 'today' : null, 'aria-current': day.is_today ? 'date' : null,
    },
    h('th', { scope: 'row' }, currentLang() === 'vi' ? day.weekday_vi : day.weekday,
      day.is_today ? h('span', { class: 'today-mark' }, ` (${t('today')})`) : null),
    // <wbr>: at 320 px with large text a range may break after its dash
    h('td', {}, day.intervals.length
      ? day.intervals.map((span, i) => [i ? ', ' : '', `${span.opens}–`, h('wbr'), span.closes])
      : t('closed_all_day'))))));
}

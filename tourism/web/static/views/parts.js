// Pieces more than one page shows.
import { h } from '../dom.js';
import {
  currentLang, formatDistance, formatPrice, formatRating, formatTime, formatWeekday, localDay,
  localName, plural, secondaryName, t,
} from '../i18n.js';

export function openBadge(openNow) {
  if (openNow === true) return h('span', { class: 'badge badge-open' }, t('open_now'));
  if (openNow === false) return h('span', { class: 'badge badge-closed' }, t('closed_now'));
  return h('span', { class: 'badge badge-unknown' }, t('hours_unknown'));
}

export function ratingText(rating, count) {
  if (!count) return h('span', { class: 'rating rating-none' }, t('no_ratings'));
  return h('span', { class: 'rating', 'aria-label': t('rating_aria', { stars: formatRating(rating), count }) },
    h('span', { 'aria-hidden': 'true' }, `★ ${formatRating(rating)}`),
    ' ',
    h('span', { class: 'votes', 'aria-hidden': 'true' }, `(${plural('votes', count)})`));
}

export const price = (vnd) => h('span', { class: 'price' }, formatPrice(vnd));

export const distance = (metres) =>
  (metres === null || metres === undefined
    ? null
    : h('span', { class: 'distance', 'aria-label': t('distance_aria', { d: formatDistance(metres) }) },
      formatDistance(metres)));

// Dishes go by their Vietnamese name (what to say when ordering); English explains it.
export function dishName(dish, tag = 'span') {
  return h(tag, { class: 'dish-name' },
    h('span', { lang: 'vi' }, dish.name_vi),
    secondaryName(dish) ? h('span', { class: 'secondary', lang: 'en' }, secondaryName(dish)) : null);
}

export function placeName(place, tag = 'span', attrs = {}) {
  const other = secondaryName(place);
  return h(tag, attrs, localName(place), other ? h('span', { class: 'secondary' }, other) : null);
}

export function directions([lon, lat], label) {
  const coords = `${lat.toFixed(5)}, ${lon.toFixed(5)}`;
  const geo = `geo:${lat},${lon}?q=${lat},${lon}(${encodeURIComponent(label)})`;
  const osm = `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=18/${lat}/${lon}`;
  return h('section', { class: 'directions', 'aria-labelledby': 'directions-heading' },
    h('h2', { id: 'directions-heading' }, t('directions')),
    h('p', {}, t('coordinates'), ': ', h('span', { class: 'coords', translate: 'no' }, coords)),
    h('p', { class: 'actions' },
      h('a', { class: 'button', href: geo }, t('open_in_maps_app')),
      h('a', { class: 'button', href: osm, rel: 'noopener', target: '_blank' }, t('open_in_osm'))));
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
    h('h3', {}, h('a', { href: `/stations/${encodeURIComponent(station.station_id)}` }, localName(station))),
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
    h('td', {}, day.intervals.length
      ? day.intervals.map((span) => `${span.opens}–${span.closes}`).join(', ')
      : t('closed_all_day'))))));
}

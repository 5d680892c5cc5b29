// /: what to eat in Hai Phong. Popular dishes, the eateries on the map, and the nearest ones
// when the visitor shares their position.
import { api } from '../api.js';
import { announce, debounce, h } from '../dom.js';
import { knownPosition, locate, quietPosition } from '../geo.js';
import { t } from '../i18n.js';
import { createMap, legend } from '../map.js';
import { distance, openBadge, placeName, ratingText } from './parts.js';

const POPULAR = 12;

function nearbyCard(eatery) {
  return h('li', { class: 'card result', id: `eatery-${eatery.id}` },
    h('h3', {}, h('a', { href: `/eateries/${eatery.id}` }, placeName(eatery))),
    h('p', { class: 'meta' }, openBadge(eatery.open_now), ' ', ratingText(eatery.rating, eatery.rating_count),
      ' · ', distance(eatery.distance_m)),
    h('p', { class: 'address' }, eatery.address));
}

export async function homeView(main, { navigate }) {
  document.title = t('brand');
  const dishes = await api('/dishes', { params: { limit: 100 } });
  const popular = dishes.items
    .filter((d) => d.eatery_count > 0)
    .sort((a, b) => b.eatery_count - a.eatery_count || a.name_vi.localeCompare(b.name_vi, 'vi'))
    .slice(0, POPULAR);

  const mapBox = h('div', { class: 'map', id: 'map', role: 'region', 'aria-label': t('map_label') });
  const nearList = h('ol', { class: 'results' });
  const nearMe = h('button', { type: 'button', class: 'near-me' }, t('near_me'));
  const status = h('p', { role: 'status' });

  async function showNearby(position) {
    const data = await api('/eateries/nearby', {
      params: { lat: position.lat, lon: position.lon, radius_m: 2000, limit: 10 },
    });
    nearList.replaceChildren(...data.items.map(nearbyCard));
    status.textContent = data.items.length ? '' : t('nothing_nearby');
  }

  nearMe.addEventListener('click', async () => {
    try {
      await showNearby(await locate());
    } catch {
      status.textContent = t('position_unavailable');
      announce(t('position_unavailable'));
    }
  });

  main.replaceChildren(
    h('h1', { tabindex: '-1' }, t('home_title')),
    h('p', { class: 'lead' }, t('home_lead')),
    h('section', { 'aria-labelledby': 'popular-heading' },
      h('h2', { id: 'popular-heading' }, t('popular_dishes')),
      h('ul', { class: 'chips' }, popular.map((d) => h('li', {},
        h('a', { class: 'chip', href: `/search?${new URLSearchParams({ q: d.name_vi, dish: d.slug })}` }, d.name_vi))))),
    h('div', { class: 'split' },
      mapBox,
      legend(['open', 'closed']),
      h('section', { 'aria-labelledby': 'nearby-heading' },
        h('h2', { id: 'nearby-heading' }, t('nearby_eateries')),
        nearMe, status, nearList)));

  const position = knownPosition() || (await quietPosition());
  if (position) showNearby(position).catch(() => {});

  const mapReady = createMap(mapBox, {
    center: position ? [position.lon, position.lat] : undefined,
    onSelect: (props) => navigate(`/eateries/${props.id}`),
  });
  mapReady.then((map) => {
    if (!map) return;
    const refresh = debounce(async () => {
      try {
        const collection = await api('/eateries', { params: { bbox: map.bbox(), limit: 100 } });
        collection.features.forEach((f) => { f.properties.kind = 'eatery'; f.properties.id = f.id; });
        await map.show(collection);
      } catch { /* zoomed out past the box limit: keep the markers shown */ }
    }, 250);
    map.whenReady().then(refresh);
    map.onMove(refresh);
  });
  return () => mapReady.then((map) => map?.remove());
}

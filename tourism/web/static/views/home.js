// /: what to eat in Hai Phong. Popular dishes, the eateries on the map, and the nearest ones
// when the visitor shares their position.
import { api } from '../api.js';
import { announce, debounce, h } from '../dom.js';
import { knownPosition, locate, quietPosition } from '../geo.js';
import { currentLang, localName, t } from '../i18n.js';
import { createMap, legend } from '../map.js';
import { distance, nextChangeText, openBadge, placeName, ratingText } from './parts.js';

const POPULAR = 12;

function nearbyCard(eatery) {
  const opens = eatery.open_now === false ? nextChangeText(false, eatery.next_change) : null;
  return h('li', { class: 'card result', id: `eatery-${eatery.id}` },
    h('h3', {}, h('a', { href: `/eateries/${eatery.id}` }, placeName(eatery))),
    h('p', { class: 'meta' }, openBadge(eatery.open_now), ' ', ratingText(eatery.rating, eatery.rating_count),
      ' · ', distance(eatery.distance_m)),
    opens ? h('p', { class: 'next-change' }, opens) : null,
    h('p', { class: 'address' }, eatery.address));
}

// In English the chip leads with the English name; the Vietnamese one, smaller, is what to order.
function dishChip(dish) {
  const href = `/search?${new URLSearchParams({ q: dish.name_vi, dish: dish.slug })}`;
  const english = currentLang() === 'en' && dish.name_en;
  return h('a', { class: 'chip', href },
    english ? [h('span', {}, dish.name_en), h('span', { class: 'chip-vi', lang: 'vi' }, dish.name_vi)] : dish.name_vi);
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
    h('p', { class: 'tour-cta' }, h('a', { class: 'button primary', href: '/tours' }, t('tour_cta'))),
    h('section', { 'aria-labelledby': 'popular-heading' },
      h('h2', { id: 'popular-heading' }, t('popular_dishes')),
      h('ul', { class: 'chips' }, popular.map((d) => h('li', {}, dishChip(d))))),
    h('div', { class: 'split' },
      h('div', { class: 'map-column' }, mapBox, legend(['open', 'closed'])),
      h('section', { 'aria-labelledby': 'nearby-heading' },
        h('h2', { id: 'nearby-heading' }, t('nearby_eateries')),
        nearMe, status, nearList)));

  const position = knownPosition() || (await quietPosition());
  if (position) showNearby(position).catch(() => {});

  const mapReady = createMap(mapBox, {
    center: position ? [position.lon, position.lat] : undefined,
    onSelect: (props) => navigate(`/eateries/${props.id}`),
    stations: true,
  });
  mapReady.then((map) => {
    if (!map) return;
    const refresh = debounce(async () => {
      try {
        const collection = await api('/eateries', { params: { bbox: map.bbox(), limit: 100 } });
        collection.features.forEach((f) => {
          Object.assign(f.properties, { kind: 'eatery', id: f.id, name: localName(f.properties) });
        });
        await map.show(collection);
      } catch { /* zoomed out past the box limit: keep the markers shown */ }
    }, 250);
    map.whenReady().then(refresh);
    map.onMove(refresh);
  });
  return () => mapReady.then((map) => map?.remove());
}

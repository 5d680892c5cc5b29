// /search?q=...[&dish=slug][&open_now=true][&sort=...]: the hits as a list and on the map.
import { api } from '../api.js';
import { announce, h } from '../dom.js';
import { knownPosition, locate, quietPosition } from '../geo.js';
import { plural, t } from '../i18n.js';
import { createMap, feature, legend } from '../map.js';
import { dishName, distance, openBadge, placeName, price, ratingText } from './parts.js';
import { homeView } from './home.js';

const SORTS = ['relevance', 'distance', 'price', 'rating'];

function resultCard(hit, wantedDish) {
  const { eatery } = hit;
  const shown = hit.dishes.find((d) => d.slug === wantedDish) || hit.dishes[0];
  const others = hit.dishes.length - (shown ? 1 : 0);
  return h('li', { class: 'card result', id: `eatery-${eatery.id}`, dataset: { eateryId: eatery.id } },
    h('h3', {}, h('a', { href: `/eateries/${eatery.id}` }, placeName(eatery))),
    shown ? h('p', { class: 'dish-line' }, dishName(shown), ' ', price(shown.price_vnd)) : null,
    others > 0 ? h('p', { class: 'more-dishes' }, plural('more_dishes', others)) : null,
    h('p', { class: 'meta' },
      openBadge(eatery.open_now), ' ', ratingText(eatery.rating, eatery.rating_count),
      hit.distance_m !== null ? [' · ', distance(hit.distance_m)] : null),
    h('p', { class: 'address' }, [eatery.address, eatery.district].filter(Boolean).join(', ')));
}

export async function searchView(main, { params, navigate }) {
  const q = (params.get('q') || params.get('dish')?.replaceAll('-', ' ') || '').trim().slice(0, 100);
  if (!q) return homeView(main, { params, navigate });
  const wantedDish = params.get('dish');
  const openNow = params.get('open_now') === 'true';
  let position = knownPosition() || (await quietPosition());
  let sort = SORTS.includes(params.get('sort')) ? params.get('sort') : 'relevance';
  if (sort === 'distance' && !position) sort = 'relevance';
  document.getElementById('q').value = q;
  document.title = `${q} · ${t('brand')}`;

  const heading = h('h1', { tabindex: '-1' }, t('results_for', { q }));
  const count = h('p', { class: 'result-count', role: 'status' });
  const list = h('ol', { class: 'results', 'aria-labelledby': 'results-heading' });
  const more = h('button', { type: 'button', class: 'more', hidden: true }, t('load_more'));
  const mapBox = h('div', { class: 'map', id: 'map', role: 'region', 'aria-label': t('map_label') });
  const nearMe = h('button', { type: 'button', class: 'near-me', 'aria-pressed': String(Boolean(position)) },
    position ? t('near_me_on') : t('near_me'));
  const openBox = h('input', { type: 'checkbox', id: 'open-now', checked: openNow });
  const sortSelect = h('select', { id: 'sort' },
    SORTS.map((s) => h('option', { value: s, selected: s === sort, disabled: s === 'distance' && !position }, t(`sort_${s}`))));

  const rerun = (changes) => {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(changes)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    navigate(`/search?${next}`, { replace: true });
  };
  openBox.addEventListener('change', () => rerun({ open_now: openBox.checked ? 'true' : '' }));
  sortSelect.addEventListener('change', () => rerun({ sort: sortSelect.value === 'relevance' ? '' : sortSelect.value }));
  nearMe.addEventListener('click', async () => {
    nearMe.disabled = true;
    try {
      position = await locate();
      rerun({});
    } catch {
      nearMe.disabled = false;
      announce(t('position_unavailable'));
      count.textContent = t('position_unavailable');
    }
  });

  main.replaceChildren(
    heading,
    h('div', { class: 'filters' },
      nearMe,
      h('p', { class: 'check' }, openBox, h('label', { for: 'open-now' }, t('filter_open_now'))),
      h('p', { class: 'select' }, h('label', { for: 'sort' }, t('sort_label')), ' ', sortSelect)),
    h('div', { class: 'split' },
      mapBox,
      legend(position ? ['open', 'closed', 'here'] : ['open', 'closed']),
      h('section', { class: 'results-section', 'aria-labelledby': 'results-heading' },
        h('h2', { id: 'results-heading', class: 'visually-hidden' }, t('results_heading')),
        count, list, more)));

  const mapReady = createMap(mapBox, {
    onSelect: (props) => {
      const card = document.getElementById(`eatery-${props.id}`);
      card?.scrollIntoView({ block: 'nearest' });
      card?.querySelector('a')?.focus();
    },
  });
  const hits = [];
  let cursor = null;

  async function page() {
    const data = await api('/search', {
      params: {
        q, open_now: openNow, sort, cursor, limit: 20,
        lat: position?.lat, lon: position?.lon,
      },
    });
    hits.push(...data.items);
    cursor = data.next_cursor;
    list.append(...data.items.map((hit) => resultCard(hit, wantedDish)));
    more.hidden = !cursor;
    count.textContent = hits.length ? plural('results', hits.length) : t('no_results', { q });
    const features = hits.map((hit) => feature(hit.eatery.location, {
      kind: 'eatery', id: hit.eatery.id, open_now: hit.eatery.open_now,
    }));
    if (position) features.push(feature({ type: 'Point', coordinates: [position.lon, position.lat] }, { kind: 'here' }));
    mapReady.then((map) => map?.show({ type: 'FeatureCollection', features }, { fit: true }));
  }

  more.addEventListener('click', async () => {
    more.disabled = true;
    const before = hits.length;
    await page();
    more.disabled = false;
    list.children[before]?.querySelector('a')?.focus();
  });

  await page();
  return () => mapReady.then((map) => map?.remove());
}

// /search?q=...[&dish=slug][&open_now=true][&sort=...]: the hits as a list and on the map.
import { api } from '../api.js';
import { announce, h } from '../dom.js';
import { knownPosition, locate, quietPosition } from '../geo.js';
import { localName, plural, t } from '../i18n.js';
import { createMap, feature, legend } from '../map.js';
import {
  dishName, distance, nextChangeText, openBadge, placeName, price, ratingText,
} from './parts.js';
import { homeView } from './home.js';
import {
  countText, failureNotice, servingText, skeletonCards, whenText,
} from './lists.js';

const SORTS = ['relevance', 'distance', 'price', 'rating'];
const PAGE_SIZE = 20;
const CLOSED_SAMPLE = 50; // enough closed eateries to find the one that opens first

const shownDish = (hit, wantedDish) => hit.dishes.find((d) => d.slug === wantedDish) || hit.dishes[0];

// The eatery page shows the dish searched for, and its price, first.
const eateryLink = (id, dish) => (dish ? `/eateries/${id}?${new URLSearchParams({ dish })}` : `/eateries/${id}`);

function resultCard(hit, wantedDish) {
  const { eatery } = hit;
  const shown = shownDish(hit, wantedDish);
  const others = hit.dishes.length - (shown ? 1 : 0);
  const opens = eatery.open_now === false ? nextChangeText(false, eatery.next_change) : null;
  return h('li', { class: 'card result', id: `eatery-${eatery.id}`, dataset: { eateryId: eatery.id } },
    h('h3', {}, h('a', { href: eateryLink(eatery.id, shown?.slug) }, placeName(eatery))),
    shown ? h('p', { class: 'dish-line' }, dishName(shown), ' ', price(shown.price_vnd)) : null,
    others > 0 ? h('p', { class: 'more-dishes' }, plural('more_dishes', others)) : null,
    h('p', { class: 'meta' },
      openBadge(eatery.open_now), ' ', ratingText(eatery.rating, eatery.rating_count),
      hit.distance_m !== null ? [' · ', distance(hit.distance_m)] : null),
    opens ? h('p', { class: 'next-change' }, opens) : null,
    h('p', { class: 'address' }, [eatery.address, eatery.district].filter(Boolean).join(', ')));
}

export async function searchView(main, { params, navigate, restore = false }) {
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
  const notice = h('div', { class: 'list-notice' });
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
      h('p', { class: 'check' }, openBox, h('label', { for: 'open-now' }, t('filter_open_now')))),
    h('div', { class: 'split' },
      // The legend stays with the map, so that from 900 px the list has the other column.
      h('div', { class: 'map-column' },
        mapBox,
        legend(position ? ['open', 'closed', 'here'] : ['open', 'closed'])),
      h('section', { class: 'results-section', 'aria-labelledby': 'results-heading' },
        h('h2', { id: 'results-heading', class: 'visually-hidden' }, t('results_heading')),
        h('div', { class: 'list-head' },
          count,
          h('p', { class: 'select' }, h('label', { for: 'sort' }, t('sort_label')), ' ', sortSelect)),
        notice, list, more)));

  const select = (id) => {
    list.querySelector('.result.selected')?.classList.remove('selected');
    const card = document.getElementById(`eatery-${id}`);
    card?.classList.add('selected');
    card?.scrollIntoView({ block: 'nearest' });
  };
  const mapReady = createMap(mapBox, { onSelect: (props) => select(props.id), stations: true });
  // A tap on a card (not on its link) shows that eatery on the map.
  list.addEventListener('click', (event) => {
    const card = event.target.closest('.result');
    if (!card || event.target.closest('a, button')) return;
    const id = Number(card.dataset.eateryId);
    select(id);
    mapReady.then((map) => map?.focus?.(id));
  });

  // What was loaded, kept in this history entry so that Back redraws it without a fetch.
  const url = `${window.location.pathname}${window.location.search}`;
  const saved = restore && window.history.state?.results?.url === url ? window.history.state.results : null;
  const state = saved || {
    url, hits: [], cursor: null, started: false, total: null, exact: true, closed: null,
  };
  const ids = new Set(state.hits.map((hit) => hit.eatery.id));
  const keep = () => window.history.replaceState({ ...window.history.state, results: state }, '');

  function showOnMap() {
    const features = state.hits.map((hit) => {
      const dish = shownDish(hit, wantedDish);
      return feature(hit.eatery.location, {
        kind: 'eatery',
        id: hit.eatery.id,
        name: localName(hit.eatery),
        open_now: hit.eatery.open_now,
        next_change: hit.eatery.next_change ?? null,
        dish_name: dish ? localName(dish) : null,
        price_vnd: dish?.price_vnd ?? null,
      });
    });
    if (position) features.push(feature({ type: 'Point', coordinates: [position.lon, position.lat] }, { kind: 'here' }));
    mapReady.then((map) => map?.show({ type: 'FeatureCollection', features }, { fit: true }));
  }

  // Nothing open now: how many serve it at other hours, and when the first of them opens.
  function closedNotice() {
    const { total, exact, first } = state.closed;
    const untick = h('button', { type: 'button', class: 'show-closed' }, t('show_closed_too'));
    untick.addEventListener('click', () => rerun({ open_now: '' }));
    return h('div', { class: 'notice notice-closed' },
      h('p', {}, servingText(total, exact), first ? `; ${t('first_opens', { when: whenText(first) })}` : '.'),
      untick);
  }

  function showCount() {
    if (state.hits.length) {
      // Before the API counted (`total`), the hits so far are exact only once the last page is in.
      const total = state.total ?? state.hits.length;
      const exact = state.total === null ? !state.cursor : state.exact;
      count.textContent = countText(total, exact);
    } else {
      count.textContent = state.closed ? t('none_open_now', { q }) : t('no_results', { q });
      notice.replaceChildren(state.closed ? closedNotice() : '');
    }
  }

  function showLoading() {
    list.setAttribute('aria-busy', 'true');
    list.replaceChildren(...skeletonCards(3));
    count.textContent = t('loading');
  }

  async function closedOnes() {
    const data = await api('/search', {
      params: { q, sort, limit: CLOSED_SAMPLE, lat: position?.lat, lon: position?.lon },
    });
    if (!data.items.length) return null;
    const opening = data.items.map((hit) => hit.eatery.next_change).filter(Boolean)
      .sort((a, b) => Date.parse(a) - Date.parse(b));
    return {
      total: data.total ?? data.items.length,
      exact: data.total_exact ?? !data.next_cursor,
      first: opening[0] ?? null,
    };
  }

  async function load() {
    if (state.started && !state.cursor) return; // the last page is in: nothing more to fetch
    const firstPage = !state.started;
    notice.replaceChildren();
    if (firstPage) showLoading();
    more.disabled = true;
    try {
      const data = await api('/search', {
        params: {
          q, open_now: openNow, sort, cursor: state.cursor, limit: PAGE_SIZE,
          lat: position?.lat, lon: position?.lon,
        },
      });
      const fresh = data.items.filter((hit) => !ids.has(hit.eatery.id));
      fresh.forEach((hit) => ids.add(hit.eatery.id));
      if (openNow && firstPage && !fresh.length) state.closed = await closedOnes();
      state.hits.push(...fresh);
      state.cursor = data.next_cursor ?? null;
      state.total = data.total ?? null;
      state.exact = data.total_exact ?? true;
      state.started = true;
      keep();
      if (firstPage) {
        list.removeAttribute('aria-busy');
        list.replaceChildren();
      }
      list.append(...fresh.map((hit) => resultCard(hit, wantedDish)));
      more.hidden = !state.cursor;
      showCount();
      showOnMap();
      return fresh.length;
    } catch (error) {
      if (firstPage) {
        list.removeAttribute('aria-busy');
        list.replaceChildren();
        count.textContent = '';
      }
      notice.replaceChildren(failureNotice(error, async () => {
        if (await load()) list.querySelector('a')?.focus();
      }));
      return 0;
    } finally {
      more.disabled = false;
    }
  }

  more.addEventListener('click', async () => {
    const before = list.children.length;
    if (await load()) list.children[before]?.querySelector('a')?.focus();
  });

  if (saved) {
    list.append(...state.hits.map((hit) => resultCard(hit, wantedDish)));
    more.hidden = !state.cursor;
    showCount();
    showOnMap();
  } else {
    await load();
  }
  return () => mapReady.then((map) => map?.remove());
}

// /stations/{station_id}: a bike station's bikes and free docks, and the eateries near it.
import { api } from '../api.js';
import { h } from '../dom.js';
import { formatDateTime, localName, t } from '../i18n.js';
import { createMap, feature, legend } from '../map.js';
import { directions, distance, openBadge, placeName, ratingText, stationFacts } from './parts.js';

export async function stationView(main, { args }) {
  const station = await api(`/stations/${encodeURIComponent(args[0])}`);
  const [lon, lat] = station.location.coordinates;
  const nearby = await api('/eateries/nearby', { params: { lat, lon, radius_m: 1000, limit: 10 } });
  document.title = `${localName(station)} · ${t('brand')}`;
  const mapBox = h('div', { class: 'map map-small', id: 'map', role: 'region', 'aria-label': t('map_label') });

  main.replaceChildren(
    h('article', { class: 'station-page' },
      h('p', { class: 'back' }, h('a', { href: '/' }, `← ${t('back_home')}`)),
      h('p', { class: 'kicker' }, t('bike_station')),
      placeName(station, 'h1', { tabindex: '-1' }),
      station.address ? h('p', { class: 'address' }, station.address) : null,
      stationFacts(station),
      h('p', { class: 'meta' }, t('capacity', { n: station.capacity }),
        station.last_reported ? [' · ', t('last_reported', { when: formatDateTime(station.last_reported) })] : null),
      mapBox,
      legend(['station', 'open', 'closed']),
      directions([lon, lat]),
      h('section', { 'aria-labelledby': 'near-station-heading' },
        h('h2', { id: 'near-station-heading' }, t('eateries_near_station')),
        nearby.items.length
          ? h('ol', { class: 'results' }, nearby.items.map((e) => h('li', { class: 'card result' },
            h('h3', {}, h('a', { href: `/eateries/${e.id}` }, placeName(e))),
            h('p', { class: 'meta' }, openBadge(e.open_now), ' ', ratingText(e.rating, e.rating_count),
              ' · ', distance(e.distance_m)))))
          : h('p', {}, t('nothing_nearby')))));

  const mapReady = createMap(mapBox, { center: [lon, lat], zoom: 15 });
  mapReady.then((map) => map?.show({
    type: 'FeatureCollection',
    features: [
      feature(station.location, { kind: 'station' }),
      ...nearby.items.map((e) => feature(e.location, { kind: 'eatery', id: e.id, open_now: e.open_now })),
    ],
  }, { fit: true }));
  return () => mapReady.then((map) => map?.remove());
}

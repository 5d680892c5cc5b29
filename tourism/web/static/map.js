// The map: MapLibre GL JS served by this app (built by `make web`), markers from GeoJSON.
// The base map is, in order: this server's PMTiles archive (meta foodtour:basemap), a style URL
// (meta foodtour:map-style), or a plain background. When the base map cannot load (no network),
// the markers still show on the plain background with a notice; without the library or WebGL,
// the page keeps its lists and says the map is unavailable.
import { api } from './api.js';
import { debounce, h, meta } from './dom.js';
import { currentLang, formatPrice, t } from './i18n.js';
import { nextChangeText, openBadge } from './views/parts.js';

export const CITY_CENTRE = [106.6839, 20.8577]; // Hai Phong Opera House, lon/lat
// Each is at least 4.5:1 against white and 3:1 against the light street map, with a white ring.
const COLOURS = {
  open: '#15803d', closed: '#57534e', unknown: '#b45309', station: '#7c3aed', here: '#1d4ed8',
};
// A style that never loads (no network, a slow link) must not keep the markers from showing.
const STYLE_TIMEOUT_MS = 5000;
const STATION_LIMIT = 100; // the API's largest page
const ATTRIBUTION = '<a href="https://www.openstreetmap.org/copyright">© OpenStreetMap contributors</a>'
  + ' · <a href="https://protomaps.com">Protomaps</a>';
const scripts = {};
let pmtilesProtocol;

function loadScript(src) {
  scripts[src] ??= new Promise((resolve, reject) => {
    const script = h('script', { src });
    script.addEventListener('load', resolve);
    script.addEventListener('error', () => reject(new Error(`${src} missing`)));
    document.head.append(script);
  });
  return scripts[src];
}

let library;
function loadLibrary() {
  if (!library) {
    const assets = meta('assets');
    document.head.append(h('link', { rel: 'stylesheet', href: `${assets}/vendor/maplibre-gl.css` }));
    library = loadScript(`${assets}/vendor/maplibre-gl-csp.js`).then(() => {
      window.maplibregl.setWorkerUrl(`${assets}/vendor/maplibre-gl-csp-worker.js`);
      return window.maplibregl;
    });
  }
  return library;
}

const plainStyle = () => ({
  version: 8,
  sources: {},
  layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#e8eee9' } }],
});

// Street names in the page's language, the local name where the map has no translation.
const localLabel = (lang) => ['coalesce', ['get', `name:${lang}`], ['get', 'name']];
const namesPlaces = (layer) => JSON.stringify(layer.layout?.['text-field'] ?? '').includes('"name');

// Protomaps' layers without the ones that need a sprite (no icons are served) and with labels in
// the page's language. No glyphs URL: MapLibre draws the label text with the device's fonts.
async function pmtilesStyle(maplibregl, url, lang) {
  const assets = meta('assets');
  await Promise.all([loadScript(`${assets}/vendor/pmtiles.js`), loadScript(`${assets}/vendor/basemaps.js`)]);
  if (!pmtilesProtocol) {
    pmtilesProtocol = new window.pmtiles.Protocol();
    maplibregl.addProtocol('pmtiles', pmtilesProtocol.tile);
  }
  const { basemaps } = window;
  const layers = basemaps.layers('protomaps', basemaps.namedFlavor('light'), { lang })
    .filter((layer) => !layer.layout?.['icon-image'] || layer.layout['text-field'])
    .map((layer) => {
      if (layer.type !== 'symbol') return layer;
      const layout = { ...layer.layout };
      delete layout['icon-image'];
      if (namesPlaces(layer)) layout['text-field'] = localLabel(lang);
      return { ...layer, layout };
    });
  return {
    version: 8,
    sources: {
      protomaps: {
        type: 'vector', url: `pmtiles://${new URL(url, window.location.origin)}`, attribution: ATTRIBUTION,
      },
    },
    layers,
  };
}

// A style from a URL names places in its own way; make its labels follow the page's language.
function localiseLabels(map, lang) {
  for (const layer of map.getStyle().layers) {
    if (layer.type === 'symbol' && namesPlaces(layer)) {
      map.setLayoutProperty(layer.id, 'text-field', localLabel(lang));
    }
  }
}

export const emptyCollection = () => ({ type: 'FeatureCollection', features: [] });

function colour(properties) {
  if (properties.kind === 'station') return COLOURS.station;
  if (properties.kind === 'here') return COLOURS.here;
  return COLOURS[hoursState(properties.open_now)];
}

const hoursState = (openNow) => ({ true: 'open', false: 'closed' })[openNow] ?? 'unknown';
const keyOf = (p) => (p.kind === 'station' ? `station:${p.station_id}` : `${p.kind}:${p.id ?? ''}`);

function stationFeature(station) {
  return feature(station.location, {
    kind: 'station',
    station_id: station.station_id,
    name: (currentLang() === 'en' && station.name_en) || station.name_vi,
    num_bikes_available: station.num_bikes_available,
    num_docks_available: station.num_docks_available,
    is_renting: station.is_renting,
    is_returning: station.is_returning,
  });
}

// What a tap on a marker says: the name (a link to its page), the dish searched and its price,
// open or closed and until when; for a bike station, its bikes and free docks.
function popupContent(p) {
  if (p.kind === 'here') return h('p', { class: 'map-popup-title' }, t('legend_here'));
  const href = p.kind === 'station' ? `/stations/${encodeURIComponent(p.station_id)}` : `/eateries/${p.id}`;
  const fallbackName = p.kind === 'station' ? t('legend_station') : t('map_eatery');
  const lines = [h('p', { class: 'map-popup-title' }, h('a', { href }, p.name || fallbackName))];
  if (p.kind === 'station') {
    if (p.num_bikes_available != null) lines.push(h('p', {}, t('bikes_available', { n: p.num_bikes_available })));
    if (p.num_docks_available != null) lines.push(h('p', {}, t('docks_available', { n: p.num_docks_available })));
    if (p.is_renting === false) lines.push(h('p', {}, t('station_not_renting')));
    if (p.is_returning === false) lines.push(h('p', {}, t('station_not_returning')));
  } else {
    if (p.dish_name) {
      lines.push(h('p', { class: 'map-popup-dish' }, p.dish_name,
        p.price_vnd != null ? [' · ', h('span', { class: 'price' }, formatPrice(p.price_vnd))] : null));
    }
    // Only what the view said: a missing next_change is not "open around the clock".
    const when = 'next_change' in p ? nextChangeText(p.open_now, p.next_change) : null;
    lines.push(h('p', {}, openBadge(p.open_now ?? null), when ? ` ${when}` : null));
  }
  return h('div', { class: 'map-popup' }, lines);
}

// The radius (metres) from the map's centre to its farthest corner.
function viewRadius(map) {
  const centre = map.getCenter();
  const bounds = map.getBounds();
  return Math.max(centre.distanceTo(bounds.getNorthEast()), centre.distanceTo(bounds.getSouthWest()));
}

// "Bike stations" on the map: a toggle that loads the stations in view and follows the view.
class StationsControl {
  constructor(onToggle) {
    this.button = h('button', { type: 'button', class: 'map-toggle', 'aria-pressed': 'false' },
      h('span', { class: 'dot dot-station', 'aria-hidden': 'true' }), t('map_stations_toggle'));
    this.button.addEventListener('click', () => {
      const on = this.button.getAttribute('aria-pressed') !== 'true';
      this.button.setAttribute('aria-pressed', String(on));
      onToggle(on);
    });
  }

  onAdd() {
    this.element = h('div', { class: 'maplibregl-ctrl map-toggle-box' }, this.button);
    return this.element;
  }

  onRemove() { this.element.remove(); }
}

// A map in `container`, or null when it cannot be drawn. `onSelect(properties)` on a tap;
// `stations: true` adds the bike-station toggle.
export async function createMap(container, { center = CITY_CENTRE, zoom = 14, onSelect, stations = false } = {}) {
  const unavailable = () => {
    container.replaceChildren(h('p', { class: 'map-fallback' }, t('map_unavailable')));
    container.dataset.state = 'unavailable';
    return null;
  };
  if (meta('map') !== 'on') return unavailable();
  const lang = currentLang();
  let maplibregl;
  let map;
  let basemap;
  try {
    maplibregl = await loadLibrary();
    let style = plainStyle();
    basemap = 'plain';
    if (meta('basemap')) {
      style = await pmtilesStyle(maplibregl, meta('basemap'), lang).catch(() => style);
      basemap = style.sources.protomaps ? 'pmtiles' : 'plain';
    } else if (meta('map-style')) {
      style = meta('map-style');
      basemap = 'url';
    }
    map = new maplibregl.Map({
      container, style, center, zoom, attributionControl: { compact: true },
      cooperativeGestures: false, maxZoom: 19,
      locale: {
        'NavigationControl.ZoomIn': t('map_zoom_in'),
        'NavigationControl.ZoomOut': t('map_zoom_out'),
        'Popup.Close': t('map_popup_close'),
        'AttributionControl.ToggleAttribution': t('map_attribution'),
      },
    });
  } catch {
    return unavailable();
  }
  container._map = map; // for tests: read the rendered labels
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.getCanvas().setAttribute('aria-label', t('map_label'));

  // Markers go on as soon as a style is in place, not on `load`: that waits for every tile in
  // view, which on a slow or dead network may never come.
  let loaded = false;
  const ready = new Promise((resolve) => {
    map.on('style.load', () => {
      if (loaded) return;
      loaded = true;
      resolve();
    });
  });
  // The style failed before it came (no network, a broken style): the plain background and a
  // notice instead, so the markers still show. After that, a missing tile is no news.
  const fallBack = () => {
    if (loaded || basemap === 'plain' || container.dataset.basemap === 'unavailable') return;
    container.dataset.basemap = 'unavailable';
    container.append(h('p', { class: 'map-notice', role: 'status' }, t('basemap_unavailable')));
    map.setStyle(plainStyle());
  };
  map.on('error', fallBack); // listening also keeps MapLibre from logging each tile as an error
  const timer = setTimeout(fallBack, STYLE_TIMEOUT_MS);
  container.dataset.basemap = basemap;

  let shown = [];
  let stationsShown = [];
  let features = new Map(); // key -> the properties as the view gave them (MapLibre drops nulls)
  let selected = null;
  let popup = null;

  const collection = () => {
    const keys = new Set(shown.map((f) => keyOf(f.properties)));
    const all = [...shown, ...stationsShown.filter((f) => !keys.has(keyOf(f.properties)))];
    features = new Map(all.map((f) => [keyOf(f.properties), f]));
    return {
      type: 'FeatureCollection',
      features: all.map((f) => ({
        ...f,
        properties: {
          kind: f.properties.kind,
          key: keyOf(f.properties),
          colour: colour(f.properties),
          selected: keyOf(f.properties) === selected,
        },
      })),
    };
  };
  let removed = false;
  const redraw = () => { if (loaded && !removed) map.getSource('places').setData(collection()); };

  function openPopup(key) {
    const found = features.get(key);
    if (!found) return null;
    popup?.remove();
    selected = key;
    redraw();
    popup = new maplibregl.Popup({ maxWidth: '260px', offset: 12, className: 'map-popup-box' })
      .setLngLat(found.geometry.coordinates)
      .setDOMContent(popupContent(found.properties))
      .addTo(map);
    popup.on('close', () => {
      if (selected === key) { selected = null; redraw(); }
    });
    return found;
  }

  ready.then(() => {
    clearTimeout(timer);
    if (basemap === 'url' && container.dataset.basemap === 'url') localiseLabels(map, lang);
    map.addSource('places', { type: 'geojson', data: collection() });
    map.addLayer({
      id: 'places-halo',
      type: 'circle',
      source: 'places',
      filter: ['==', ['get', 'kind'], 'here'],
      paint: { 'circle-radius': 18, 'circle-color': COLOURS.here, 'circle-opacity': 0.2 },
    });
    map.addLayer({
      id: 'places',
      type: 'circle',
      source: 'places',
      paint: {
        'circle-radius': ['case', ['get', 'selected'], 11, ['==', ['get', 'kind'], 'here'], 7, 8],
        'circle-color': ['get', 'colour'],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': ['case', ['==', ['get', 'kind'], 'here'], 3, 2],
      },
    });
    map.on('click', 'places', (event) => {
      const found = openPopup(event.features[0].properties.key);
      if (found) onSelect?.(found.properties);
    });
    map.on('mouseenter', 'places', () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', 'places', () => { map.getCanvas().style.cursor = ''; });
  });

  const idle = () => new Promise((resolve) => map.once('idle', resolve));

  if (stations) {
    let on = false;
    const load = debounce(async () => {
      if (!on) return;
      try {
        const { lat, lng } = map.getCenter();
        const radius = Math.min(50000, Math.max(300, Math.ceil(viewRadius(map))));
        const data = await api('/stations/nearby', {
          params: { lat: lat.toFixed(5), lon: lng.toFixed(5), radius_m: radius, limit: STATION_LIMIT },
        });
        if (!on) return;
        stationsShown = data.items.map(stationFeature);
      } catch { return; /* offline or zoomed out too far: keep what is shown */ }
      await ready;
      redraw();
      await idle();
      container.dataset.stations = String(stationsShown.length);
    }, 250);
    map.addControl(new StationsControl((wanted) => {
      on = wanted;
      if (on) {
        load();
        return;
      }
      stationsShown = [];
      delete container.dataset.stations;
      redraw();
    }), 'top-left');
    map.on('moveend', load);
  }

  return {
    map,
    // Replace the markers; every feature's properties need `kind` ('eatery' | 'station' | 'here').
    async show(shownCollection, { fit = false } = {}) {
      shown = shownCollection.features;
      await ready;
      redraw();
      if (fit && shown.length) this.fit(shownCollection);
      // Drawn, not merely asked for: tests and screenshots wait for this.
      await idle();
      container.dataset.markers = String(shown.length);
    },
    // Centre a marker (an eatery's id or a station's station_id) and open its popup.
    async focus(id) {
      await ready;
      const key = [`eatery:${id}`, `station:${id}`].find((k) => features.has(k));
      if (!key) return;
      const found = openPopup(key);
      map.easeTo({ center: found.geometry.coordinates, zoom: Math.max(map.getZoom(), 15) });
    },
    fit(fitted) {
      const coords = fitted.features.map((f) => f.geometry.coordinates);
      if (coords.length === 1) {
        map.jumpTo({ center: coords[0], zoom: 16 });
        return;
      }
      const bounds = coords.reduce(
        (b, c) => b.extend(c), new maplibregl.LngLatBounds(coords[0], coords[0]),
      );
      map.fitBounds(bounds, { padding: 40, maxZoom: 16, animate: false });
    },
    bbox() {
      const b = map.getBounds();
      return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(5)).join(',');
    },
    onMove(handler) { map.on('moveend', handler); },
    whenReady: () => ready,
    remove: () => {
      removed = true;
      clearTimeout(timer);
      map.remove();
    },
  };
}

// What the markers mean, under the map. An eatery's hours have three states (open, closed,
// unknown): asking for any of them (or 'eatery') names all three.
export function legend(kinds) {
  const hours = ['open', 'closed', 'unknown'];
  const shown = [...new Set(kinds.flatMap((kind) => (kind === 'eatery' || hours.includes(kind) ? hours : [kind])))];
  return h('ul', { class: 'legend', 'aria-label': t('legend_label') },
    shown.map((kind) => h('li', {}, h('span', { class: `dot dot-${kind}`, 'aria-hidden': 'true' }), t(`legend_${kind}`))));
}

export function feature(geometry, properties) {
  return { type: 'Feature', geometry, properties };
}

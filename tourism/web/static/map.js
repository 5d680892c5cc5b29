// The map: MapLibre GL JS served by this app (built by `make web`), markers from GeoJSON.
// With no base map style configured, the markers sit on a plain background; without the
// library or WebGL, the page keeps its lists and says the map is unavailable.
import { h, meta } from './dom.js';
import { t } from './i18n.js';

export const CITY_CENTRE = [106.6839, 20.8577]; // Hai Phong Opera House, lon/lat
const COLOURS = { open: '#1e6b3a', closed: '#6b7280', station: '#1d4ed8', here: '#b42318' };
let library;

function loadLibrary() {
  if (!library) {
    const assets = meta('assets');
    library = new Promise((resolve, reject) => {
      document.head.append(h('link', { rel: 'stylesheet', href: `${assets}/vendor/maplibre-gl.css` }));
      const script = h('script', { src: `${assets}/vendor/maplibre-gl-csp.js` });
      script.addEventListener('load', () => {
        window.maplibregl.setWorkerUrl(`${assets}/vendor/maplibre-gl-csp-worker.js`);
        resolve(window.maplibregl);
      });
      script.addEventListener('error', () => reject(new Error('map library missing')));
      document.head.append(script);
    });
  }
  return library;
}

function baseStyle() {
  const url = meta('map-style');
  if (url) return url;
  return {
    version: 8,
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#e8eee9' } }],
  };
}

export const emptyCollection = () => ({ type: 'FeatureCollection', features: [] });

function colour(properties) {
  if (properties.kind === 'station') return COLOURS.station;
  if (properties.kind === 'here') return COLOURS.here;
  if (properties.open_now === true) return COLOURS.open;
  return COLOURS.closed; // closed, or hours unknown: not a place to count on now
}

// A map in `container`, or null when it cannot be drawn. `onSelect(properties)` on a click.
export async function createMap(container, { center = CITY_CENTRE, zoom = 14, onSelect } = {}) {
  const unavailable = () => {
    container.replaceChildren(h('p', { class: 'map-fallback' }, t('map_unavailable')));
    container.dataset.state = 'unavailable';
    return null;
  };
  if (meta('map') !== 'on') return unavailable();
  let maplibregl;
  let map;
  try {
    maplibregl = await loadLibrary();
    map = new maplibregl.Map({
      container, style: baseStyle(), center, zoom, attributionControl: { compact: true },
      cooperativeGestures: false, maxZoom: 19,
    });
  } catch {
    return unavailable();
  }
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.getCanvas().setAttribute('aria-label', t('map_label'));
  const ready = new Promise((resolve) => map.once('load', resolve));
  let pending = emptyCollection();

  ready.then(() => {
    map.addSource('places', { type: 'geojson', data: pending });
    map.addLayer({
      id: 'places',
      type: 'circle',
      source: 'places',
      paint: {
        'circle-radius': ['case', ['boolean', ['get', 'selected'], false], 11, 8],
        'circle-color': ['get', 'colour'],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 2,
      },
    });
    map.on('click', 'places', (event) => onSelect?.(event.features[0].properties));
    map.on('mouseenter', 'places', () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', 'places', () => { map.getCanvas().style.cursor = ''; });
  });

  return {
    map,
    // Replace the markers; every feature's properties need `kind` ('eatery' | 'station' | 'here').
    async show(collection, { fit = false } = {}) {
      pending = {
        type: 'FeatureCollection',
        features: collection.features.map((f) => ({
          ...f, properties: { ...f.properties, colour: colour(f.properties) },
        })),
      };
      await ready;
      map.getSource('places').setData(pending);
      if (fit && pending.features.length) this.fit(pending);
      // Drawn, not merely asked for: tests and screenshots wait for this.
      await new Promise((resolve) => map.once('idle', resolve));
      container.dataset.markers = String(pending.features.length);
    },
    fit(collection) {
      const coords = collection.features.map((f) => f.geometry.coordinates);
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
    remove: () => map.remove(),
  };
}

// What the marker colours mean, under the map.
export function legend(kinds) {
  return h('ul', { class: 'legend', 'aria-label': t('legend_label') },
    kinds.map((kind) => h('li', {}, h('span', { class: `dot dot-${kind}`, 'aria-hidden': 'true' }), t(`legend_${kind}`))));
}

export function feature(geometry, properties) {
  return { type: 'Feature', geometry, properties };
}

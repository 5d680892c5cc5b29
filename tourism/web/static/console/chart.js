// Small line charts drawn by uPlot (installed from npm by `make web`, served from vendor/).
// Each chart is a <figure>: a caption, the drawing (hidden from screen readers) and the same
// figures as a table (visually hidden; shown instead when the library is not there).
import { h, meta } from '../dom.js';
import { TZ, locale, t } from '../i18n.js';

let library;

function loadLibrary() {
  if (!library) {
    const assets = meta('assets');
    library = new Promise((resolve, reject) => {
      document.head.append(h('link', { rel: 'stylesheet', href: `${assets}/vendor/uPlot.min.css` }));
      const script = h('script', { src: `${assets}/vendor/uPlot.iife.min.js` });
      script.addEventListener('load', () => (window.uPlot ? resolve(window.uPlot) : reject(new Error('no uPlot'))));
      script.addEventListener('error', () => {
        library = null; // a later chart may try again
        reject(new Error('chart library missing'));
      });
      document.head.append(script);
    });
  }
  return library;
}

// Seconds since the epoch: a calendar day ("2026-03-01") is its midnight in Hai Phong.
function seconds(value) {
  if (value instanceof Date) return value.getTime() / 1000;
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (day) return Date.UTC(+day[1], +day[2] - 1, +day[3], -7) / 1000;
  return Date.parse(value) / 1000;
}

const dayFormat = () => new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'numeric', timeZone: TZ });
const longFormat = (withTime) => new Intl.DateTimeFormat(locale(), {
  dateStyle: 'medium', timeStyle: withTime ? 'short' : undefined, timeZone: TZ,
});

function dataTable({ caption, xs, series, format, withTime }) {
  const long = longFormat(withTime);
  return h('table', { class: 'chart-table visually-hidden' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('console_chart_date')),
      series.map((s) => h('th', { scope: 'col' }, s.label)))),
    h('tbody', {}, xs.map((x, i) => h('tr', {},
      h('th', { scope: 'row' }, long.format(new Date(x * 1000))),
      series.map((s) => h('td', { class: 'num' }, s.values[i] === null || s.values[i] === undefined ? '–' : format(s.values[i])))))));
}

const COLOURS = ['#8f2418', '#1d4ed8', '#14532d', '#713f12'];

/**
 * A line chart in `el`: `x` the dates (YYYY-MM-DD days or ISO instants), `series` the lines
 * ({label, values}); `format` writes a value in the table, `axisFormat` on the axis; `step`
 * draws each value until the next (prices); `until` carries the last value on to that instant
 * (a price still valid today); `integer` keeps the value axis to whole numbers (counts).
 * Returns {destroy()}.
 */
export function lineChart(el, {
  x, series, caption, format = (v) => String(v), axisFormat = format, step = false, until,
  integer = false,
}) {
  const xs = x.map(seconds);
  const instants = x.some((v) => !(typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)));
  const table = dataTable({ caption, xs, series, format, withTime: instants });
  const plot = h('div', { class: 'chart-plot', 'aria-hidden': 'true' });
  const figure = h('figure', { class: 'chart' }, h('figcaption', {}, caption), plot, table);
  el.replaceChildren(figure);

  let chart = null;
  let observer = null;
  let gone = false;
  const fallback = () => {
    plot.remove();
    table.classList.remove('visually-hidden');
    figure.append(h('p', { class: 'hint' }, t('console_chart_unavailable')));
  };
  if (!xs.length) {
    plot.replaceWith(h('p', { class: 'empty state' }, t('console_chart_empty')));
    return { destroy() {} };
  }

  loadLibrary().then((uPlot) => {
    if (gone) return;
    const plotXs = [...xs];
    const plotSeries = series.map((s) => [...s.values]);
    if (until && seconds(until) > plotXs[plotXs.length - 1]) {
      plotXs.push(seconds(until));
      plotSeries.forEach((values) => values.push(values[values.length - 1]));
    }
    // Ticks as days, or as hours when everything happened within two days (prices changed
    // this morning).
    const span = plotXs[plotXs.length - 1] - plotXs[0];
    const ticks = span < 2 * 86400
      ? new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: TZ })
      : dayFormat();
    const options = (width) => ({
      width,
      height: 180,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), TZ),
      scales: {
        x: {
          time: true,
          range: (u, min, max) => (min === max ? [min - 86400, max + 86400] : [min, max]),
        },
        y: { range: (u, min, max) => [0, max > 0 ? max * 1.15 : 1] },
      },
      axes: [
        {
          stroke: '#57534e',
          grid: { stroke: '#e7e5e4' },
          // one label per day (or minute): uPlot may split finer than that
          values: (u, splits) => splits.map((s, i) => {
            const text = ticks.format(new Date(s * 1000));
            return i > 0 && text === ticks.format(new Date(splits[i - 1] * 1000)) ? '' : text;
          }),
        },
        {
          stroke: '#57534e',
          grid: { stroke: '#e7e5e4' },
          size: 64,
          incrs: integer ? [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] : undefined,
          values: (u, splits) => splits.map((v) => axisFormat(v)),
        },
      ],
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          stroke: COLOURS[i % COLOURS.length],
          width: 2,
          fill: i === 0 ? 'rgba(143, 36, 24, 0.08)' : undefined,
          points: { show: true, size: 6 },
          paths: step ? uPlot.paths.stepped({ align: 1 }) : undefined,
        })),
      ],
    });
    const draw = (width) => {
      if (width <= 0) return;
      if (!chart) chart = new uPlot(options(width), [plotXs, ...plotSeries], plot);
      else chart.setSize({ width, height: 180 });
    };
    observer = new ResizeObserver((entries) => draw(Math.floor(entries[0].contentRect.width)));
    observer.observe(plot);
  }).catch(() => { if (!gone) fallback(); });

  return {
    destroy() {
      gone = true;
      observer?.disconnect();
      chart?.destroy();
    },
  };
}

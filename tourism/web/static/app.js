// The page's entry point: language, header (search, language switch, account) and the
// history-API router for /, /search, /eateries/{id} and /stations/{id}.
import { logOut, readSession } from './api.js';
import { openAuthDialog } from './auth.js';
import { setUpCombobox } from './combobox.js';
import { announce, h, meta } from './dom.js';
import { initLanguage, setUpLanguageSwitch, t } from './i18n.js';
import { eateryView } from './views/eatery.js';
import { homeView } from './views/home.js';
import { searchView } from './views/search.js';
import { failureNotice } from './views/lists.js';
import { privacyView } from './views/privacy.js';
import { stationView } from './views/station.js';
import { tourView } from './views/tour.js';

// [pattern, view, name]: the name goes on <body data-view> so the style can differ per page.
const ROUTES = [
  [/^\/$/, homeView, 'home'],
  [/^\/search\/?$/, searchView, 'search'],
  [/^\/eateries\/([^/]+)\/?$/, eateryView, 'eatery'],
  [/^\/stations\/([^/]+)\/?$/, stationView, 'station'],
  [/^\/tours\/?$/, tourView, 'tour'],
  [/^\/privacy\/?$/, privacyView, 'privacy'],
];
// Campaign parameters from QR codes: counted by the server log, not kept in shared links.
const TRACKING = /^(utm_[a-z]+|fbclid|gclid)$/;

let cleanup = null;
let firstRender = true;

function route(pathname) {
  for (const [pattern, view, name] of ROUTES) {
    const match = pathname.match(pattern);
    if (match) return { view, name, args: match.slice(1).map(decodeURIComponent) };
  }
  return null;
}

// Each history entry keeps its scroll position (and what the page saved in it, e.g. the search
// hits) so that Back redraws it as it was; an entry opened from a search remembers that search.
export function navigate(url, { replace = false } = {}) {
  const target = new URL(url, window.location.origin);
  const here = window.location;
  if (replace) {
    window.history.replaceState({}, '', target);
  } else {
    window.history.replaceState({ ...window.history.state, scrollY: window.scrollY }, '');
    const from = here.pathname === '/search' ? `${here.pathname}${here.search}` : undefined;
    window.history.pushState({ from }, '', target);
  }
  render();
}

function dropTrackingParameters() {
  const url = new URL(window.location.href);
  const names = [...url.searchParams.keys()].filter((name) => TRACKING.test(name));
  if (!names.length) return;
  names.forEach((name) => url.searchParams.delete(name));
  window.history.replaceState({}, '', url);
}

async function render({ restore = false } = {}) {
  dropTrackingParameters();
  const main = document.getElementById('main');
  cleanup?.();
  cleanup = null;
  const found = route(window.location.pathname);
  const params = new URLSearchParams(window.location.search);
  document.body.dataset.view = found?.name || 'not-found';
  document.getElementById('q').value = params.get('q') || '';
  main.replaceChildren(h('p', { class: 'loading', role: 'status' }, t('loading')));
  main.setAttribute('aria-busy', 'true');
  try {
    if (!found) {
      document.title = `${t('not_found_title')} · ${t('brand')}`;
      const qr = window.location.pathname.startsWith('/q/');
      main.replaceChildren(
        h('h1', { tabindex: '-1' }, qr ? t('qr_unknown_title') : t('not_found_title')),
        h('p', {}, qr ? t('qr_unknown_text') : t('not_found_hint')),
        h('p', {}, h('a', { href: '/' }, t('back_home'))),
      );
    } else {
      cleanup = (await found.view(main, { params, args: found.args, navigate, restore })) || null;
      // A QR code turned off (the server's 410) shows what it pointed to, saying so.
      if (window.history.state?.gone) {
        main.prepend(h('p', { class: 'notice', role: 'status' }, t('qr_gone')));
      }
    }
  } catch (error) {
    main.replaceChildren(
      h('h1', {}, t('error_title')),
      error.status === 404
        ? h('p', { role: 'alert' }, t('not_found_text'))
        : failureNotice(error, () => render({ restore })),
      h('p', {}, h('a', { href: '/' }, t('back_home'))),
    );
  }
  main.removeAttribute('aria-busy');
  // After a navigation the focus goes to the new page's heading, as a page load would; Back
  // returns to where the visitor was.
  if (!firstRender) main.querySelector('h1')?.focus({ preventScroll: true });
  if (restore) window.scrollTo(0, window.history.state?.scrollY || 0);
  else if (!firstRender) window.scrollTo(0, 0);
  firstRender = false;
}

function internalLink(event) {
  const link = event.target.closest('a[href]');
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || link.target) return;
  const url = new URL(link.href);
  if (url.origin !== window.location.origin || !route(url.pathname)) return;
  event.preventDefault();
  // "Back to results" is Back itself: the list comes back as it was, scroll and all.
  if ('back' in link.dataset && window.history.state?.from === link.getAttribute('href')) window.history.back();
  else navigate(url);
}

function renderAccount() {
  const session = readSession();
  const button = document.getElementById('account-button');
  const name = document.getElementById('account-name');
  name.textContent = session ? session.user.display_name : '';
  name.hidden = !session;
  button.textContent = session ? t('log_out') : t('log_in');
}

function setUpHeader() {
  const form = document.getElementById('search-form');
  const input = document.getElementById('q');
  setUpCombobox({
    input,
    listbox: document.getElementById('suggestions'),
    onPick: (item) => {
      if (item.kind === 'eatery') navigate(`/eateries/${item.id}`);
      else navigate(`/search?${new URLSearchParams({ q: item.name_vi, dish: item.slug })}`);
    },
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const q = input.value.trim();
    if (!q) {
      input.focus();
      return;
    }
    navigate(`/search?${new URLSearchParams({ q })}`);
  });

  setUpLanguageSwitch(document.getElementById('lang-switch'), async () => {
    renderAccount();
    await render();
    announce(t('language_changed'));
  });

  document.getElementById('account-button').addEventListener('click', () => {
    if (readSession()) {
      logOut();
      announce(t('logged_out'));
    } else {
      openAuthDialog();
    }
  });
  window.addEventListener('foodtour:session', renderAccount);
  renderAccount();
}

// The server answered 410 with this page for a QR code turned off: show the page it pointed to
// (its address becomes the one in the bar, to share), saying the campaign is over.
function followGoneCode() {
  const target = meta('error-target');
  if (meta('error') === '410' && target.startsWith('/')) {
    window.history.replaceState({ gone: true }, '', target);
  }
}

async function boot() {
  followGoneCode();
  await initLanguage({ followBrowser: true });
  setUpHeader();
  document.addEventListener('click', internalLink);
  window.history.scrollRestoration = 'manual'; // render() puts each entry's scroll back
  window.addEventListener('popstate', () => render({ restore: true }));
  await render();
  document.body.dataset.ready = 'true';
}

boot();

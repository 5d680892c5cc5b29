// The page's entry point: language, header (search, language switch, account) and the
// history-API router for /, /search, /eateries/{id} and /stations/{id}.
import { logOut, readSession } from './api.js';
import { openAuthDialog } from './auth.js';
import { setUpCombobox } from './combobox.js';
import { announce, h } from './dom.js';
import { initLanguage, setUpLanguageSwitch, t } from './i18n.js';
import { eateryView } from './views/eatery.js';
import { homeView } from './views/home.js';
import { searchView } from './views/search.js';
import { stationView } from './views/station.js';

const ROUTES = [
  [/^\/$/, homeView],
  [/^\/search\/?$/, searchView],
  [/^\/eateries\/([^/]+)\/?$/, eateryView],
  [/^\/stations\/([^/]+)\/?$/, stationView],
];
// Campaign parameters from QR codes: counted by the server log, not kept in shared links.
const TRACKING = /^(utm_[a-z]+|fbclid|gclid)$/;

let cleanup = null;
let firstRender = true;

function route(pathname) {
  for (const [pattern, view] of ROUTES) {
    const match = pathname.match(pattern);
    if (match) return { view, args: match.slice(1).map(decodeURIComponent) };
  }
  return null;
}

export function navigate(url, { replace = false } = {}) {
  const target = new URL(url, window.location.origin);
  if (replace) window.history.replaceState({}, '', target);
  else window.history.pushState({}, '', target);
  render();
}

function dropTrackingParameters() {
  const url = new URL(window.location.href);
  const names = [...url.searchParams.keys()].filter((name) => TRACKING.test(name));
  if (!names.length) return;
  names.forEach((name) => url.searchParams.delete(name));
  window.history.replaceState({}, '', url);
}

async function render() {
  dropTrackingParameters();
  const main = document.getElementById('main');
  cleanup?.();
  cleanup = null;
  const found = route(window.location.pathname);
  const params = new URLSearchParams(window.location.search);
  document.getElementById('q').value = params.get('q') || '';
  main.replaceChildren(h('p', { class: 'loading', role: 'status' }, t('loading')));
  main.setAttribute('aria-busy', 'true');
  try {
    if (!found) {
      document.title = `${t('not_found_title')} · ${t('brand')}`;
      main.replaceChildren(h('h1', {}, t('not_found_title')), h('p', {}, h('a', { href: '/' }, t('back_home'))));
    } else {
      cleanup = (await found.view(main, { params, args: found.args, navigate })) || null;
    }
  } catch (error) {
    main.replaceChildren(
      h('h1', {}, t('error_title')),
      h('p', { role: 'alert' }, error.status === 404 ? t('not_found_text') : t('error_text')),
      h('p', {}, h('a', { href: '/' }, t('back_home'))),
    );
  }
  main.removeAttribute('aria-busy');
  // After a navigation the focus goes to the new page's heading, as a page load would.
  if (!firstRender) main.querySelector('h1')?.focus();
  firstRender = false;
}

function internalLink(event) {
  const link = event.target.closest('a[href]');
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || link.target) return;
  const url = new URL(link.href);
  if (url.origin !== window.location.origin || !route(url.pathname)) return;
  event.preventDefault();
  navigate(url);
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

async function boot() {
  await initLanguage();
  setUpHeader();
  document.addEventListener('click', internalLink);
  window.addEventListener('popstate', render);
  await render();
  document.body.dataset.ready = 'true';
}

boot();

// The staff console's entry point: language, the login form when logged out, the header (the
// account's name, its screens, change password, log out, language), and the router over the
// screens each module exports. A role sees only its own screens; an address of another role
// gets the console's own "not allowed" page (the API enforces the roles either way).
import { api, ApiError, logIn, readSession, writeSession } from '../api.js';
import { announce, h } from '../dom.js';
import { currentLang, initLanguage, setUpLanguageSwitch, t } from '../i18n.js';
import * as account from './account.js';
import * as ui from './ui.js';

export const ROLES = ['tourist', 'vendor', 'moderator', 'admin', 'operator'];

// Each module is loaded on its own: one that is missing or broken leaves the others working.
const MODULES = {
  vendor: () => import('./vendor.js'),
  operator: () => import('./operator.js'),
  moderation: () => import('./moderation.js'),
  admin: () => import('./admin.js'),
};
// The parts of the console and who may enter them, known even when a module did not load.
const AREAS = [
  { pattern: /^\/console\/vendor(\/|$)/, roles: ['vendor'], module: 'vendor' },
  { pattern: /^\/console\/moderation(\/|$)/, roles: ['moderator', 'admin'], module: 'moderation' },
  { pattern: /^\/console\/admin(\/|$)/, roles: ['admin'], module: 'admin' },
  { pattern: /^\/console\/operator(\/|$)/, roles: ['operator', 'admin'], module: 'operator' },
];

const loaded = []; // [{name, module}]
const failed = new Set();
let cleanup = null;
let firstRender = true;
let leaving = false; // a log-out we asked for, not an expired session

async function loadModules() {
  await Promise.all(Object.entries(MODULES).map(async ([name, load]) => {
    try {
      loaded.push({ name, module: await load() });
    } catch (error) {
      failed.add(name);
      console.warn(`console module ${name} not loaded:`, error?.message || error);
    }
  }));
  const order = Object.keys(MODULES);
  loaded.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
}

function allScreens() {
  return [...loaded.flatMap(({ module }) => module.screens || []), ...account.screens];
}

function context(session, match) {
  return {
    session,
    user: session.user,
    navigate,
    t,
    api,
    match,
    params: new URLSearchParams(window.location.search),
  };
}

function cardsFor(ctx) {
  const cards = [];
  for (const { name, module } of loaded) {
    try {
      cards.push(...(module.homeCards?.(ctx) || []));
    } catch (error) {
      console.warn(`home cards of ${name}:`, error);
    }
  }
  return cards;
}

export function navigate(url, { replace = false } = {}) {
  const target = new URL(url, window.location.origin);
  if (replace) window.history.replaceState({}, '', target);
  else window.history.pushState({}, '', target);
  render();
}

// -- screens of the app itself ----------------------------------------------------------------

function loginScreen(main) {
  document.title = `${t('console_login_title')} · ${t('console_brand')}`;
  const flash = ui.takeFlash();
  const error = ui.formError();
  const email = h('input', { type: 'email', autocomplete: 'username', required: true, maxlength: 254 });
  const password = h('input', { type: 'password', autocomplete: 'current-password', required: true, maxlength: 128 });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('log_in'));
  const form = h('form', { class: 'login-form card', novalidate: false },
    ui.field({ name: 'email', label: t('field_email'), control: email }),
    ui.field({ name: 'password', label: t('field_password'), control: password }),
    error,
    submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    error.textContent = '';
    try {
      const session = await logIn(email.value.trim(), password.value);
      announce(t('logged_in_as', { name: session.user.display_name }));
      // the session event draws the header and the screen
    } catch (problem) {
      error.textContent = problem instanceof ApiError && problem.status === 401 ? t('error_login')
        : ui.errorMessage(problem);
      password.value = '';
      password.focus();
    }
    submit.disabled = false;
  });
  ui.fill(main,
    ui.pageHeading(t('console_login_title'), { lead: t('console_login_lead') }),
    flash ? h('p', { class: 'flash', role: 'status' }, flash) : null,
    form,
    h('p', {}, h('a', { class: 'button', href: '/' }, t('console_tourist_site'))));
  email.focus();
}

function notAllowed(main) {
  document.title = `${t('console_not_allowed_title')} · ${t('console_brand')}`;
  main.replaceChildren(
    ui.pageHeading(t('console_not_allowed_title')),
    h('p', { role: 'alert' }, t('console_not_allowed_text')),
    h('p', {}, h('a', { class: 'button', href: '/console' }, t('console_back_home'))));
}

function notFound(main) {
  document.title = `${t('not_found_title')} · ${t('console_brand')}`;
  main.replaceChildren(
    ui.pageHeading(t('not_found_title')),
    h('p', {}, t('console_not_found_text')),
    h('p', {}, h('a', { class: 'button', href: '/console' }, t('console_back_home'))));
}

function moduleMissing(main) {
  document.title = `${t('error_title')} · ${t('console_brand')}`;
  main.replaceChildren(
    ui.pageHeading(t('error_title')),
    h('div', { class: 'error state', role: 'alert' },
      h('p', {}, t('console_module_missing')),
      h('button', { type: 'button', onclick: () => window.location.reload() }, t('console_retry'))),
    h('p', {}, h('a', { class: 'button', href: '/console' }, t('console_back_home'))));
}

function homeScreen(main, ctx) {
  document.title = t('console_brand');
  const { user } = ctx;
  const cards = cardsFor(ctx);
  const list = h('ul', { class: 'home-cards' }, cards.map((card) => {
    const count = h('span', { class: 'home-count' });
    if (card.count !== undefined && card.count !== null) {
      Promise.resolve(card.count).then((n) => {
        if (n === null || n === undefined) return;
        count.textContent = new Intl.NumberFormat().format(n);
        if (card.countLabel) count.setAttribute('aria-label', t(card.countLabel, { n }));
      }, () => {
        count.textContent = '!';
        count.setAttribute('aria-label', t('console_count_failed'));
        count.classList.add('home-count-error');
      });
    }
    return h('li', {}, h('a', { class: 'home-card', href: card.href },
      h('span', { class: 'home-title' }, t(card.title)), count));
  }));
  const staff = user.role !== 'tourist';
  ui.fill(main,
    ui.pageHeading(t('console_hello', { name: user.display_name }), {
      lead: t('console_role_line', { role: roleName(user.role) }),
    }),
    staff && cards.length ? list : null,
    staff && !cards.length ? ui.emptyState(t('console_home_empty')) : null,
    staff ? null : h('div', { class: 'card' },
      h('p', {}, t('console_tourist_text')),
      h('p', {}, h('a', { class: 'button primary', href: '/' }, t('console_tourist_site')))),
    h('p', { class: 'home-account' }, h('a', { href: '/console/account' }, t('console_account_link'))));
}

export function roleName(role) {
  const names = {
    tourist: t('console_role_tourist'),
    vendor: t('console_role_vendor'),
    moderator: t('console_role_moderator'),
    admin: t('console_role_admin'),
    operator: t('console_role_operator'),
  };
  return names[role] || role;
}

// -- router -----------------------------------------------------------------------------------

function resolve(pathname, role) {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/console') return { kind: 'home' };
  for (const screen of allScreens()) {
    const match = path.match(screen.path);
    if (!match) continue;
    if (!screen.roles.includes(role)) return { kind: 'forbidden' };
    return { kind: 'screen', screen, match };
  }
  const area = AREAS.find((a) => a.pattern.test(path));
  if (area && !area.roles.includes(role)) return { kind: 'forbidden' };
  if (area && failed.has(area.module)) return { kind: 'missing' };
  return { kind: 'not-found' };
}

async function render() {
  const main = document.getElementById('main');
  cleanup?.();
  cleanup = null;
  renderHeader();
  const session = readSession();
  if (!session) {
    loginScreen(main);
    firstRender = false;
    return;
  }
  const found = resolve(window.location.pathname, session.user.role);
  const ctx = context(session, found.match);
  main.replaceChildren(ui.loadingState());
  main.setAttribute('aria-busy', 'true');
  try {
    if (found.kind === 'home') homeScreen(main, ctx);
    else if (found.kind === 'forbidden') notAllowed(main);
    else if (found.kind === 'missing') moduleMissing(main);
    else if (found.kind === 'not-found') notFound(main);
    else {
      document.title = `${t(found.screen.title)} · ${t('console_brand')}`;
      cleanup = (await found.screen.render(main, ctx)) || null;
    }
  } catch (error) {
    console.error(error);
    main.replaceChildren(ui.pageHeading(t('error_title')), ui.errorState(error, () => render()));
  }
  main.removeAttribute('aria-busy');
  markCurrentLink();
  if (!firstRender) main.querySelector('h1')?.focus();
  firstRender = false;
}

function internalLink(event) {
  const link = event.target.closest('a[href]');
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || link.target || link.hasAttribute('download')) return;
  const url = new URL(link.href);
  if (url.origin !== window.location.origin || !/^\/console(\/|$)/.test(url.pathname)) return;
  event.preventDefault();
  navigate(url);
}

// -- header -----------------------------------------------------------------------------------

let navFor = null; // the session the nav was drawn for

function renderHeader() {
  const session = readSession();
  const name = document.getElementById('account-name');
  const link = document.getElementById('account-link');
  const logout = document.getElementById('logout-button');
  const nav = document.getElementById('console-nav');
  name.textContent = session ? session.user.display_name : '';
  for (const el of [name, link, logout]) el.hidden = !session;
  link.textContent = t('console_account_link');
  logout.textContent = t('log_out');
  const key = session ? `${session.token}:${currentLang()}` : null;
  if (key === navFor) return;
  navFor = key;
  if (!session || session.user.role === 'tourist') {
    nav.replaceChildren();
    nav.hidden = true;
    return;
  }
  const ctx = context(session, null);
  const cards = cardsFor(ctx);
  // The nav needs the titles only; the counts are the home screen's.
  cards.forEach((card) => Promise.resolve(card.count).catch(() => {}));
  nav.replaceChildren(h('ul', {},
    h('li', { class: 'nav-home' }, h('a', { href: '/console' }, t('console_home'))),
    cards.map((card) => h('li', {}, h('a', { href: card.href }, t(card.title))))));
  nav.hidden = false;
}

function markCurrentLink() {
  const path = window.location.pathname.replace(/\/+$/, '');
  let best = null;
  for (const a of document.querySelectorAll('#console-nav a')) {
    a.removeAttribute('aria-current');
    const href = new URL(a.href).pathname;
    if (path === href || path.startsWith(`${href}/`)) {
      if (!best || href.length > new URL(best.href).pathname.length) best = a;
    }
  }
  best?.setAttribute('aria-current', 'page');
}

function setUpHeader() {
  setUpLanguageSwitch(document.getElementById('lang-switch'), async () => {
    await render();
    announce(t('language_changed'));
  });
  document.getElementById('logout-button').addEventListener('click', () => {
    leaving = true;
    ui.setFlash(t('console_logged_out'));
    writeSession(null);
    announce(t('logged_out'));
  });
  window.addEventListener('foodtour:session', (event) => {
    if (!event.detail && !leaving) ui.setFlash(ui.takeFlash() || t('console_error_session'));
    leaving = false;
    navFor = undefined;
    render();
  });
}

async function checkSession() {
  // A token may have ended meanwhile (password changed elsewhere, account disabled): api()
  // logs out on its 401. The role may have changed too.
  const session = readSession();
  if (!session) return;
  try {
    const me = await api('/auth/me');
    const user = { id: me.id, display_name: me.display_name, role: me.role };
    if (JSON.stringify(user) !== JSON.stringify(session.user)) {
      writeSession({ ...session, user });
    }
  } catch { /* offline: keep what we have; the screens say what fails */ }
}

async function boot() {
  await initLanguage();
  await loadModules();
  setUpHeader();
  document.addEventListener('click', internalLink);
  window.addEventListener('popstate', render);
  await checkSession();
  await render();
  document.body.dataset.ready = 'true';
}

boot();

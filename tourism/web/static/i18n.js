// Vietnamese or English: the switch (remembered), else on the tourist page the browser's
// languages, else Vietnamese. Every string lives in i18n/vi.json and i18n/en.json, with the
// same keys (a test checks it).
import { meta } from './dom.js';

export const LANGS = ['vi', 'en'];
export const TZ = 'Asia/Ho_Chi_Minh';
const STORAGE_KEY = 'foodtour.lang';
const LOCALES = { vi: 'vi-VN', en: 'en-GB' };
const dictionaries = {};
let lang = 'vi';

function stored() {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return LANGS.includes(value) ? value : null;
  } catch {
    return null;
  }
}

// The first of vi/en in the visitor's preference order ("fr, en-US, vi" -> en); English for
// anyone who reads neither, since a foreign visitor is likelier to read English.
function browserLanguage() {
  const wanted = navigator.languages?.length ? navigator.languages : [navigator.language || ''];
  for (const tag of wanted) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (LANGS.includes(base)) return base;
  }
  return 'en';
}

async function load(wanted) {
  if (!dictionaries[wanted]) {
    const res = await fetch(`${meta('assets')}/i18n/${wanted}.json`);
    if (!res.ok) throw new Error(`dictionary ${wanted}: ${res.status}`);
    dictionaries[wanted] = await res.json();
  }
  return dictionaries[wanted];
}

// followBrowser: a first visit gets the browser's language (the tourist page); without it,
// Vietnamese (the console, whose users are Vietnamese staff).
export async function initLanguage({ followBrowser = false } = {}) {
  await setLanguage(stored() || (followBrowser ? browserLanguage() : 'vi'), { persist: false });
}

export async function setLanguage(wanted, { persist = true } = {}) {
  await load(wanted);
  lang = wanted;
  document.documentElement.lang = wanted;
  if (persist) {
    try { localStorage.setItem(STORAGE_KEY, wanted); } catch { /* private mode: not kept */ }
  }
  translateStatic();
}

export const currentLang = () => lang;
export const locale = () => LOCALES[lang];

export function t(key, vars = {}) {
  const text = dictionaries[lang]?.[key] ?? dictionaries.vi?.[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

// Elements written in the HTML shell carry their key: data-i18n (text) and data-i18n-<attr>.
export function translateStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const attr of ['placeholder', 'aria-label', 'title', 'content']) {
    for (const el of root.querySelectorAll(`[data-i18n-${attr}]`)) {
      el.setAttribute(attr, t(el.getAttribute(`data-i18n-${attr}`)));
    }
  }
}

export function plural(key, n) {
  const form = new Intl.PluralRules(locale()).select(n) === 'one' ? 'one' : 'other';
  return t(`${key}_${form}`, { n: new Intl.NumberFormat(locale()).format(n) });
}

// Prices are always written the Vietnamese way: 35.000 ₫.
const vnd = new Intl.NumberFormat('vi-VN', { style: 'currency', currency: 'VND' });
export const formatPrice = (amount) => vnd.format(amount);

export function formatDistance(metres) {
  if (metres < 1000) return `${Math.max(10, Math.round(metres / 10) * 10)} m`;
  const km = new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format(metres / 1000);
  return `${km} km`;
}

export const formatRating = (stars) =>
  new Intl.NumberFormat(locale(), { minimumFractionDigits: 1, maximumFractionDigits: 1 })
    .format(stars);

export const formatTime = (iso) =>
  new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: TZ })
    .format(new Date(iso));

export const formatDateTime = (iso) =>
  new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short', timeZone: TZ })
    .format(new Date(iso));

export const formatDate = (iso) =>
  new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: TZ }).format(new Date(iso));

// The calendar day in Hai Phong of an instant, as YYYY-MM-DD.
export const localDay = (date) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(date);

export function formatWeekday(iso) {
  return new Intl.DateTimeFormat(locale(), { weekday: 'long', timeZone: TZ }).format(new Date(iso));
}

// The name in the reader's language when there is one; Vietnamese otherwise.
export function localName(item) {
  return (lang === 'en' && item.name_en) || item.name_vi;
}

// The language localName() is in, for the element's lang attribute.
export const localNameLang = (item) => ((lang === 'en' && item.name_en) ? 'en' : 'vi');

// The other-language name, shown smaller: in English the Vietnamese one is what to say when
// ordering.
export function secondaryName(item) {
  const other = localNameLang(item) === 'en' ? item.name_vi : item.name_en;
  return other && other !== localName(item) ? other : null;
}

// The header's language switch: it names the other language; `onChange` redraws after a switch.
export function setUpLanguageSwitch(button, onChange) {
  const nameTheOther = () => {
    const other = lang === 'vi' ? 'en' : 'vi';
    button.textContent = t(`switch_to_${other}`);
    button.lang = other;
  };
  button.addEventListener('click', async () => {
    await setLanguage(lang === 'vi' ? 'en' : 'vi');
    nameTheOther();
    await onChange();
  });
  nameTheOther();
}

// The JSON API at /api/v1, with the logged-in account's token when there is one, asked in the
// page's language: the API's names and error messages come back in it.
import { currentLang } from './i18n.js';

const SESSION_KEY = 'foodtour.session';

export class ApiError extends Error {
  constructor(status, body) {
    const error = body?.error ?? {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    // the API's own sentence, in the page's language; null when the answer was not the API's
    this.said = typeof error.message === 'string' && error.message ? error.message : null;
    this.code = error.code || 'http_error';
    this.fields = Array.isArray(error.details) ? error.details : [];
  }
}

export function readSession() {
  try {
    const session = JSON.parse(localStorage.getItem(SESSION_KEY) || 'null');
    if (session && session.expiresAt > Date.now()) return session;
  } catch { /* unreadable: logged out */ }
  return null;
}

export function writeSession(session) {
  try {
    if (session) localStorage.setItem(SESSION_KEY, JSON.stringify(session));
    else localStorage.removeItem(SESSION_KEY);
  } catch { /* private mode: the session lasts as long as the page */ }
  window.dispatchEvent(new CustomEvent('foodtour:session', { detail: session }));
}

export async function api(path, { method = 'GET', params, json, form, signal, token } = {}) {
  const url = new URL(`/api/v1${path}`, window.location.origin);
  for (const [name, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && value !== '' && value !== false) {
      url.searchParams.set(name, String(value));
    }
  }
  const headers = { Accept: 'application/json', 'Accept-Language': currentLang() };
  const bearer = token ?? readSession()?.token;
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form) {
    body = new URLSearchParams(form);
  }
  const res = await fetch(url, { method, headers, body, signal });
  const data = await res.json().catch(() => null);
  if (res.status === 401 && bearer && !token) writeSession(null); // expired: log out
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

export async function logIn(email, password) {
  const grant = await api('/auth/token', { method: 'POST', form: { username: email, password } });
  const user = await api('/auth/me', { token: grant.access_token });
  const session = {
    token: grant.access_token,
    expiresAt: Date.now() + grant.expires_in * 1000,
    user: { id: user.id, display_name: user.display_name, role: user.role },
  };
  writeSession(session);
  return session;
}

export async function register(email, password, displayName) {
  await api('/auth/register', {
    method: 'POST', json: { email, password, display_name: displayName },
  });
  return logIn(email, password);
}

export const logOut = () => writeSession(null);

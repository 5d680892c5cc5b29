// The states a list of results goes through: loading, counted, empty, unreachable.
import { h } from '../dom.js';
import { errorText } from '../errors.js';
import { formatTime, formatWeekday, localDay, plural, t } from '../i18n.js';

// Placeholder cards as tall as real ones, so nothing below them jumps when the hits arrive.
export function skeletonCards(n = 3) {
  return Array.from({ length: n }, () => h('li', { class: 'card skeleton', 'aria-hidden': 'true' },
    h('span', { class: 'bar bar-title' }),
    h('span', { class: 'bar' }),
    h('span', { class: 'bar bar-short' }),
    h('span', { class: 'bar bar-short' })));
}

// "25 eateries", or "20+ eateries" when the server stopped counting.
export function countText(total, exact) {
  return exact ? plural('results', total) : t('results_at_least', { n: total });
}

export function servingText(total, exact) {
  return exact ? plural('serving', total) : t('serving_at_least', { n: total });
}

// "at 06:00", "tomorrow at 06:00", "on Monday at 06:00" in Hai Phong time, as nextChangeText.
export function whenText(iso) {
  const now = new Date();
  const day = localDay(new Date(iso));
  const time = formatTime(iso);
  if (day === localDay(now)) return t('when_today', { time });
  if (day === localDay(new Date(now.getTime() + 24 * 3600 * 1000))) return t('when_tomorrow', { time });
  return t('when_weekday', { time, day: formatWeekday(iso) });
}

// No connection (fetch throws a TypeError, or the browser knows it is offline) or a server
// that says it is overloaded: worth another try in a moment, unlike a 404.
export function unavailableReason(error) {
  if (error?.status === 503) return 'service_busy';
  if (error instanceof TypeError || navigator.onLine === false) return 'network_down';
  return null;
}

const UNAVAILABLE = { service_busy: () => t('service_busy'), network_down: () => t('network_down') };

// What went wrong, with a Retry button when trying again may help; `retry` redraws in place.
export function failureNotice(error, retry) {
  const reason = unavailableReason(error);
  const retryable = reason || error?.status >= 500;
  const button = retryable ? h('button', { type: 'button', class: 'retry primary' }, t('retry')) : null;
  button?.addEventListener('click', () => {
    button.disabled = true;
    retry();
  });
  return h('div', { class: `notice notice-${reason || 'error'}`, dataset: { reason: reason || 'error' } },
    h('p', { role: 'alert' }, reason ? UNAVAILABLE[reason]() : errorText(error)),
    button);
}

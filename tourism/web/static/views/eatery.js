// /eateries/{id}[?dish=slug]: first what a phone shows without scrolling (the name, open now or
// when it opens, the rating and, coming from a dish search, that dish's price), then the menu,
// this week's hours (today highlighted), the map and directions, bike stations and reviews.
import { api, readSession } from '../api.js';
import { openAuthDialog } from '../auth.js';
import { h } from '../dom.js';
import { errorText } from '../errors.js';
import { currentLang, formatDate, localName, plural, t } from '../i18n.js';
import { createMap, feature, legend } from '../map.js';
import {
  directions, dishName, nextChangeText, openBadge, placeName, price, ratingText, stationItem,
  weekTable,
} from './parts.js';

const REVIEW_STATUS = ['pending', 'approved', 'rejected', 'flagged', 'removed'];

function menuList(menu, wanted) {
  return h('ul', { class: 'menu' }, menu.map((item) => h('li', {
    class: [item.is_available ? null : 'unavailable', item === wanted ? 'wanted' : null].filter(Boolean).join(' ') || null,
  },
    dishName(item),
    h('span', { class: 'menu-right' },
      price(item.price_vnd),
      item.is_available ? null : h('span', { class: 'badge badge-closed' }, t('sold_out')),
      item.rating_count ? h('span', { class: 'dish-rating' }, ratingText(item.rating, item.rating_count)) : null))));
}

function reviewItem(review, menu) {
  const dishNames = Object.fromEntries(menu.map((m) => [m.dish_slug, localName(m)]));
  return h('li', { class: 'card review' },
    h('p', { class: 'review-head' },
      h('strong', {}, review.author ?? t('former_visitor')), ' · ',
      h('span', { class: 'visually-hidden' }, t('stars_aria', { n: review.rating })),
      h('span', { 'aria-hidden': 'true' }, '★'.repeat(review.rating)), ' · ',
      h('time', { datetime: review.submitted_at }, formatDate(review.submitted_at))),
    review.text ? h('p', { class: 'review-text' }, review.text) : null,
    Object.keys(review.dish_ratings).length
      ? h('p', { class: 'review-dishes' }, Object.entries(review.dish_ratings)
        .map(([slug, stars]) => `${dishNames[slug] || slug} ${'★'.repeat(stars)}`).join(' · '))
      : null,
    review.response ? h('blockquote', { class: 'review-response' },
      h('p', {}, h('strong', {}, t('owner_response')), ' ', review.response)) : null);
}

function starsFieldset(name, legend, current, required) {
  return h('fieldset', { class: 'stars' },
    h('legend', {}, legend),
    [1, 2, 3, 4, 5].map((n) => h('span', { class: 'star' },
      h('input', { type: 'radio', name, id: `${name}-${n}`, value: n, required, checked: current === n }),
      h('label', { for: `${name}-${n}` }, h('span', { 'aria-hidden': 'true' }, '★'),
        h('span', { class: 'visually-hidden' }, t('stars_aria', { n }))))));
}

function statusLine(review) {
  const status = REVIEW_STATUS.includes(review.status) ? review.status : 'pending';
  return h('p', { class: `review-status status-${status}`, role: 'status' },
    t(`review_status_${status}`),
    review.moderation_reason ? ` ${t('reason')}: ${review.moderation_reason}` : '');
}

function reviewForm(eatery, mine) {
  const session = readSession();
  if (!session) {
    return h('p', {}, t('login_to_review'), ' ',
      h('button', { type: 'button', onclick: () => openAuthDialog() }, t('log_in')));
  }
  if (session.user.role !== 'tourist') return h('p', {}, t('review_tourists_only'));
  const status = h('div', { class: 'review-state' }, mine ? statusLine(mine) : null);
  const error = h('p', { class: 'form-error', role: 'alert' });
  const text = h('textarea', { id: 'review-text', name: 'text', maxlength: 2000, rows: 4 });
  text.value = mine?.text || '';
  const available = eatery.menu.filter((m) => m.is_available);
  const form = h('form', { class: 'review-form', 'aria-labelledby': 'review-heading' },
    starsFieldset('rating', t('your_rating'), mine?.rating, true),
    available.length ? h('details', { class: 'dish-ratings' },
      h('summary', {}, t('rate_dishes')),
      available.map((m) => h('p', { class: 'field inline' },
        h('label', { for: `dish-${m.dish_slug}` }, dishName(m)),
        h('select', { id: `dish-${m.dish_slug}`, name: `dish:${m.dish_slug}` },
          h('option', { value: '' }, t('no_dish_rating')),
          [1, 2, 3, 4, 5].map((n) => h('option', { value: n, selected: mine?.dish_ratings?.[m.dish_slug] === n },
            t('stars_aria', { n }))))))) : null,
    h('p', { class: 'field' }, h('label', { for: 'review-text' }, t('your_review')), text),
    error,
    h('button', { type: 'submit', class: 'primary' }, mine ? t('update_review') : t('post_review')));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const dishRatings = {};
    for (const [name, value] of data.entries()) {
      if (name.startsWith('dish:') && value) dishRatings[name.slice(5)] = Number(value);
    }
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    error.textContent = '';
    try {
      const review = await api(`/eateries/${eatery.id}/reviews`, {
        method: 'POST',
        json: { rating: Number(data.get('rating')), dish_ratings: dishRatings, text: data.get('text').trim() || null },
      });
      status.replaceChildren(statusLine(review));
      button.textContent = t('update_review');
    } catch (problem) {
      error.textContent = errorText(problem, { not_authenticated: () => t('login_to_review') });
    }
    button.disabled = false;
  });
  return h('div', {}, status, form);
}

// Coming from a search for a dish: that dish, its price, first.
function wantedDishLine(item) {
  return h('p', { class: 'wanted-dish' },
    h('span', { class: 'wanted-label' }, t('you_searched')),
    h('span', { class: 'wanted-row' }, dishName(item),
      h('span', { class: 'menu-right' }, price(item.price_vnd),
        item.is_available ? null : h('span', { class: 'badge badge-closed' }, t('sold_out')))));
}

export async function eateryView(main, { args, params }) {
  const id = args[0];
  if (!/^[1-9][0-9]{0,17}$/.test(id)) throw Object.assign(new Error('bad id'), { status: 404 });
  const [eatery, reviews] = await Promise.all([
    api(`/eateries/${id}`),
    api(`/eateries/${id}/reviews`, { params: { limit: 20 } }),
  ]);
  document.title = `${localName(eatery)} · ${t('brand')}`;
  const [lon, lat] = eatery.location.coordinates;
  const english = currentLang() === 'en' && eatery.description_en;
  const description = english || eatery.description_vi;
  const wanted = eatery.menu.find((m) => m.dish_slug === params?.get('dish')) || null;
  const nextChange = nextChangeText(eatery.open_now, eatery.next_change);
  const reviewBox = h('div', { id: 'review-box' });

  async function renderReviewForm() {
    let mine = null;
    if (readSession()?.user.role === 'tourist') {
      try {
        mine = (await api('/reviews/mine', { params: { eatery_id: eatery.id } })).items[0] || null;
      } catch { /* logged out meanwhile */ }
    }
    reviewBox.replaceChildren(reviewForm(eatery, mine));
  }

  const mapBox = h('div', { class: 'map map-small', id: 'map', role: 'region', 'aria-label': t('map_label') });
  main.replaceChildren(
    h('article', { class: 'eatery' },
      h('p', { class: 'back' }, window.history.state?.from
        ? h('a', { href: window.history.state.from, dataset: { back: '' } }, `← ${t('back_to_results')}`)
        : h('a', { href: '/' }, `← ${t('back_home')}`)),
      placeName(eatery, 'h1', { tabindex: '-1' }),
      h('p', { class: 'status-line' }, openBadge(eatery.open_now),
        nextChange ? [' ', h('span', { class: 'next-change' }, nextChange)] : null),
      h('p', { class: 'rating-line' }, ratingText(eatery.rating, eatery.rating_count)),
      wanted ? wantedDishLine(wanted) : null,
      h('p', { class: 'address' }, [eatery.address, eatery.ward, eatery.district].filter(Boolean).join(', ')),
      eatery.phone ? h('p', { class: 'phone' }, t('phone'), ': ',
        h('a', { href: `tel:${eatery.phone.replace(/[^+0-9]/g, '')}` }, eatery.phone)) : null,
      description ? h('p', { class: 'description', lang: english ? 'en' : 'vi' }, description) : null,
      eatery.verified ? h('p', { class: 'verified' }, t('verified')) : null,
      h('section', { 'aria-labelledby': 'menu-heading' },
        h('h2', { id: 'menu-heading' }, t('menu_heading')),
        eatery.menu.length ? menuList(eatery.menu, wanted) : h('p', {}, t('menu_empty'))),
      // below the menu: the status line above already says whether it is open now
      h('section', { 'aria-labelledby': 'hours-heading' },
        h('h2', { id: 'hours-heading' }, t('hours_heading')),
        eatery.schedule.length && eatery.opening_hours ? weekTable(eatery.schedule, t('hours_heading')) : h('p', {}, t('hours_unknown'))),
      mapBox,
      legend(['open', 'station']),
      directions([lon, lat]),
      h('section', { 'aria-labelledby': 'stations-heading' },
        h('h2', { id: 'stations-heading' }, t('stations_heading')),
        eatery.nearby_stations.length
          ? h('ul', { class: 'stations' }, eatery.nearby_stations.map(stationItem))
          : h('p', {}, t('stations_none'))),
      h('section', { 'aria-labelledby': 'reviews-heading' },
        h('h2', { id: 'reviews-heading' }, t('reviews_heading'), ' ',
          h('span', { class: 'secondary' }, eatery.rating_count ? plural('votes', eatery.rating_count) : '')),
        reviews.items.length
          ? h('ol', { class: 'reviews' }, reviews.items.map((r) => reviewItem(r, eatery.menu)))
          : h('p', {}, t('reviews_none'))),
      h('section', { 'aria-labelledby': 'review-heading', class: 'write-review' },
        h('h2', { id: 'review-heading' }, t('write_review')),
        reviewBox)));
  await renderReviewForm();
  const onSession = () => renderReviewForm();
  window.addEventListener('foodtour:session', onSession);

  const mapReady = createMap(mapBox, { center: [lon, lat], zoom: 16 });
  mapReady.then((map) => map?.show({
    type: 'FeatureCollection',
    features: [
      feature(eatery.location, { kind: 'eatery', id: eatery.id, open_now: eatery.open_now }),
      ...eatery.nearby_stations.map((s) => feature(s.location, { kind: 'station' })),
    ],
  }, { fit: true }));
  return () => {
    window.removeEventListener('foodtour:session', onSession);
    mapReady.then((map) => map?.remove());
  };
}

// /privacy: the privacy notice (Vietnam's Decree 13/2023 on personal data), and deleting one's
// own account (DELETE /api/v1/auth/me) when logged in.
import { api, logOut, readSession } from '../api.js';
import { openAuthDialog } from '../auth.js';
import { h } from '../dom.js';
import { errorText } from '../errors.js';
import { t } from '../i18n.js';

function section(id, heading, ...body) {
  return h('section', { 'aria-labelledby': id },
    h('h2', { id }, heading),
    ...body);
}

// Logged in: the password again, then the account is gone. Logged out: a way to log in.
function deletion(onDeleted) {
  if (!readSession()) {
    return h('p', {},
      t('privacy_delete_login'), ' ',
      h('button', { type: 'button', class: 'link', onclick: () => openAuthDialog() }, t('log_in')));
  }
  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h('form', { class: 'delete-account' },
    h('p', { class: 'field' },
      h('label', { for: 'delete-password' }, t('field_password')),
      h('input', {
        id: 'delete-password', name: 'password', type: 'password', required: true,
        autocomplete: 'current-password', maxlength: 128,
      })),
    error,
    h('button', { type: 'submit' }, t('privacy_delete_button')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const submit = form.querySelector('button[type="submit"]');
    submit.disabled = true;
    error.textContent = '';
    try {
      await api('/auth/me', { method: 'DELETE', json: { password: new FormData(form).get('password') } });
      onDeleted();
      logOut(); // redraws: the status line says it is done
    } catch (problem) {
      // 422 here is the password that was typed: not the password rule of registration
      error.textContent = errorText(problem, { invalid: () => t('privacy_delete_wrong_password') });
      submit.disabled = false;
    }
  });
  return form;
}

export async function privacyView(main) {
  document.title = `${t('privacy_title')} · ${t('brand')}`;
  let deleted = false;
  const account = h('div', { class: 'privacy-account' });
  // Logging in or out here redraws the form, not the whole notice; a deletion says it is done.
  const redraw = () => account.replaceChildren(deleted
    ? h('p', { role: 'status' }, t('privacy_deleted'))
    : deletion(() => { deleted = true; }));
  redraw();
  main.replaceChildren(
    h('article', { class: 'privacy-page' },
      h('p', { class: 'back' }, h('a', { href: '/' }, `← ${t('back_home')}`)),
      h('h1', { tabindex: '-1' }, t('privacy_title')),
      h('p', { class: 'lead' }, t('privacy_lead')),
      section('privacy-controller', t('privacy_controller_heading'), h('p', {}, t('privacy_controller'))),
      section('privacy-collected', t('privacy_collected_heading'),
        h('ul', {},
          h('li', {}, t('privacy_item_account')),
          h('li', {}, t('privacy_item_name')),
          h('li', {}, t('privacy_item_reviews')),
          h('li', {}, t('privacy_item_addresses')),
          h('li', {}, t('privacy_item_scans')))),
      section('privacy-why', t('privacy_why_heading'), h('p', {}, t('privacy_why'))),
      section('privacy-keep', t('privacy_keep_heading'), h('p', {}, t('privacy_keep'))),
      section('privacy-rights', t('privacy_rights_heading'), h('p', {}, t('privacy_rights'))),
      section('privacy-delete', t('privacy_delete_heading'), h('p', {}, t('privacy_delete')), account),
      section('privacy-contact', t('privacy_contact_heading'), h('p', {}, t('privacy_contact')))));
  window.addEventListener('foodtour:session', redraw);
  return () => window.removeEventListener('foodtour:session', redraw);
}

// Log in or register, in a modal <dialog> (focus stays inside; Escape closes it).
import { logIn, register } from './api.js';
import { announce, h } from './dom.js';
import { errorText } from './errors.js';
import { t } from './i18n.js';

function field(id, label, attrs) {
  return h('p', { class: 'field' },
    h('label', { for: id }, label),
    h('input', { id, name: id, required: true, ...attrs }));
}

// Here a 401 is a wrong password and a 409 an e-mail that already has an account.
const AUTH_ERRORS = { not_authenticated: () => t('error_login'), conflict: () => t('error_email_taken') };
// Registering answers alike whether the e-mail is free or taken (it tells nobody which
// addresses have accounts); the login that follows fails for a taken one, unless it is the
// owner with their own password.
const REGISTER_ERRORS = { ...AUTH_ERRORS, not_authenticated: () => t('error_register_login') };

export function openAuthDialog({ mode = 'login', onDone } = {}) {
  document.getElementById('auth-dialog')?.remove();
  const dialog = h('dialog', { id: 'auth-dialog', 'aria-labelledby': 'auth-title' });
  document.body.append(dialog);
  let leaving = false; // for another page: the focus goes there, not back to the opener

  function show(current) {
    const registering = current === 'register';
    const error = h('p', { class: 'form-error', role: 'alert' });
    const form = h('form', { method: 'dialog', novalidate: false },
      h('h2', { id: 'auth-title' }, registering ? t('register_title') : t('login_title')),
      registering ? field('display_name', t('field_display_name'), { autocomplete: 'nickname', maxlength: 80 }) : null,
      field('email', t('field_email'), { type: 'email', autocomplete: 'username', maxlength: 254 }),
      field('password', t('field_password'), {
        type: 'password',
        autocomplete: registering ? 'new-password' : 'current-password',
        minlength: registering ? 10 : null,
        maxlength: 128,
        'aria-describedby': registering ? 'password-hint' : null,
      }),
      registering ? h('p', { id: 'password-hint', class: 'hint' }, t('password_hint')) : null,
      // Decree 13/2023: what is done with the data, before it is given. The dialog closes, so
      // that the notice is not behind it, and leaves the focus to the notice's heading.
      registering ? h('p', { class: 'hint' },
        h('a', { href: '/privacy', onclick: () => { leaving = true; dialog.close(); } },
          t('privacy_register_link'))) : null,
      error,
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'submit', class: 'primary' }, registering ? t('register') : t('log_in')),
        h('button', { type: 'button', onclick: () => dialog.close() }, t('cancel'))),
      h('p', { class: 'switch-mode' },
        registering ? t('have_account') : t('no_account'), ' ',
        h('button', { type: 'button', class: 'link', onclick: () => show(registering ? 'login' : 'register') },
          registering ? t('log_in') : t('register'))));

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const submit = form.querySelector('button[type="submit"]');
      submit.disabled = true;
      error.textContent = '';
      try {
        const session = registering
          ? await register(data.get('email'), data.get('password'), data.get('display_name'))
          : await logIn(data.get('email'), data.get('password'));
        dialog.close();
        announce(t('logged_in_as', { name: session.user.display_name }));
        onDone?.(session);
      } catch (problem) {
        const labels = {
          email: t('field_email'),
          password: t('field_password'),
          display_name: t('field_display_name'),
        };
        error.textContent = errorText(problem, registering ? REGISTER_ERRORS : AUTH_ERRORS, labels);
        submit.disabled = false;
      }
    });
    dialog.replaceChildren(form);
    form.querySelector('input')?.focus();
  }

  const opener = document.activeElement;
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (!leaving) opener?.focus?.();
  });
  dialog.showModal();
  show(mode);
}

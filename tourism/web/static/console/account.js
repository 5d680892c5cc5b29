// My account: change my password. The API ends every session of the account (tokens issued
// before the change answer 401), this one included: the console logs out and says why.
import { api, ApiError, writeSession } from '../api.js';
import { announce, h } from '../dom.js';
import { t } from '../i18n.js';
import * as ui from './ui.js';

const EVERYONE = ['tourist', 'vendor', 'moderator', 'admin', 'operator'];

async function passwordScreen(main, ctx) {
  const current = h('input', { type: 'password', autocomplete: 'current-password', required: true, maxlength: 128 });
  const fresh = h('input', { type: 'password', autocomplete: 'new-password', required: true, minlength: 10, maxlength: 128 });
  const again = h('input', { type: 'password', autocomplete: 'new-password', required: true, minlength: 10, maxlength: 128 });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('console_password_submit'));
  const form = h('form', { class: 'card narrow', novalidate: true },
    ui.field({ name: 'current_password', label: t('console_password_current'), control: current }),
    ui.field({ name: 'new_password', label: t('console_password_new'), control: fresh, hint: t('password_hint') }),
    ui.field({ name: 'new_password_again', label: t('console_password_again'), control: again }),
    ui.formError(),
    h('div', { class: 'form-actions' }, submit));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    ui.clearErrors(form);
    const field = (name) => form.querySelector(`[data-field="${name}"]`);
    const problems = [];
    if (!current.value) problems.push(['current_password', t('console_required')]);
    if (fresh.value.length < 10) problems.push(['new_password', t('password_hint')]);
    else if (fresh.value === current.value) problems.push(['new_password', t('console_password_same')]);
    if (again.value !== fresh.value) problems.push(['new_password_again', t('console_password_mismatch')]);
    if (problems.length) {
      problems.forEach(([name, message]) => ui.setFieldError(field(name), message));
      field(problems[0][0]).querySelector('input').focus();
      announce(t('console_save_failed'));
      return;
    }
    submit.disabled = true;
    try {
      await api('/auth/password', {
        method: 'POST', json: { current_password: current.value, new_password: fresh.value },
      });
      ui.setFlash(t('console_password_changed'));
      window.history.replaceState({}, '', '/console');
      writeSession(null); // the app shows the login form, with the sentence above
    } catch (error) {
      // A 401 here has logged us out already (api.js); anything else stays on the form, with
      // the two answers the API gives about these fields in the reader's language.
      if (error instanceof ApiError && error.status === 422) {
        const ours = { current_password: t('console_password_wrong'), new_password: t('password_hint') };
        error.fields = error.fields.map((f) => (ours[f.field] ? { ...f, message: ours[f.field] } : f));
      }
      ui.showErrors(form, error);
      submit.disabled = false;
    }
  });

  main.replaceChildren(
    ui.pageHeading(t('console_account_title'), { lead: t('console_password_lead') }),
    h('p', {}, t('console_signed_in_as', { name: ctx.user.display_name })),
    form);
}

export const screens = [
  { path: /^\/console\/account$/, roles: EVERYONE, title: 'console_account_title', render: passwordScreen },
];

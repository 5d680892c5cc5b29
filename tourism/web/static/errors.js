// What went wrong, in the visitor's language. The API's own message is English written for
// developers: the page says it again from the error code and the fields, never shows it raw.
import { t } from './i18n.js';

const BY_CODE = {
  not_authenticated: () => t('error_unauthorized'),
  forbidden: () => t('error_forbidden'),
  not_found: () => t('error_not_found'),
  conflict: () => t('error_conflict'),
  rate_limited: () => t('error_rate_limited'),
  service_unavailable: () => t('error_unavailable'),
};

// The fields a visitor's form sends (the token form's "username" is the e-mail).
const FIELDS = {
  email: () => t('field_email'),
  username: () => t('field_email'),
  password: () => t('field_password'),
  display_name: () => t('field_display_name'),
  rating: () => t('field_rating'),
  dish_ratings: () => t('field_dish_ratings'),
  text: () => t('field_text'),
};

function invalidText(fields) {
  // "dish_ratings.nem-cua-be" is the dish_ratings field
  const names = [...new Set(fields.map((f) => FIELDS[String(f.field).split('.')[0]]?.()).filter(Boolean))];
  const text = names.length ? t('error_validation', { fields: names.join(', ') }) : t('error_validation_any');
  // the password rule is the one a visitor cannot guess from the field's name
  return fields.some((f) => f.field === 'password') ? `${text} ${t('password_hint')}` : text;
}

// `problem`: api.js's ApiError (status, code, fields) or a network failure (no status).
// `byCode` overrides the sentence for a code where the screen knows better (a 401 while logging
// in is a wrong password, not an ended session).
export function errorText(problem, byCode = {}) {
  if (!problem?.status) return t('error_network');
  const say = byCode[problem.code] || BY_CODE[problem.code];
  if (say) return say();
  if (problem.code === 'invalid' || problem.status === 422) return invalidText(problem.fields || []);
  return problem.status >= 500 ? t('error_unavailable') : t('error_text');
}

// What went wrong, in the visitor's language: the API words its errors in the language the page
// asks in (api.js sends it), so the page shows the API's own message and, for invalid input,
// what is wrong with each field. The page's own words are kept for when there is no API answer
// (offline, the server unreachable, a proxy's page instead of the API's JSON).
import { t } from './i18n.js';

// `problem`: api.js's ApiError (status, code, said, fields) or a network failure (no status).
// `byCode` overrides the sentence for a code where the screen knows what the API cannot (a 401
// right after registering is an e-mail that already has an account, not a wrong password).
// `labels` names a field as the screen's own label does ({minutes: 'How long'}): what is wrong
// with each field is then said after the words the visitor sees beside it.
export function errorText(problem, byCode = {}, labels = {}) {
  if (!problem?.status || !problem.said) return t('error_network');
  const override = byCode[problem.code];
  if (override) return override();
  const fields = (problem.fields || []).filter((f) => f.message);
  if (!fields.length) return problem.said;
  const said = fields.map((f) => `${labels[f.field] || f.field}: ${f.message}`);
  return [...new Set(said)].join('; ');
}

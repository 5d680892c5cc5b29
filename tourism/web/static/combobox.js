// Suggestions while typing: the ARIA 1.2 combobox pattern (list autocomplete).
// Arrow keys move through the options, Enter picks one (or searches the text), Escape closes.
import { api } from './api.js';
import { announce, debounce, h } from './dom.js';
import { localName, localNameLang, plural, secondaryName, t } from './i18n.js';

const MIN_CHARS = 2;
const DELAY_MS = 180;

export function setUpCombobox({ input, listbox, onPick }) {
  let items = [];
  let active = -1;
  let inflight;

  const options = () => [...listbox.querySelectorAll('[role="option"]')];

  function close() {
    listbox.hidden = true;
    listbox.replaceChildren();
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    items = [];
    active = -1;
  }

  function highlight(index) {
    const all = options();
    active = index;
    all.forEach((option, i) => option.setAttribute('aria-selected', String(i === index)));
    if (index >= 0) {
      input.setAttribute('aria-activedescendant', all[index].id);
      all[index].scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  function pick(index) {
    const item = items[index];
    close();
    if (item) onPick(item);
  }

  function render(found) {
    items = found;
    active = -1;
    if (!found.length) {
      close();
      return;
    }
    listbox.replaceChildren(...found.map((item, i) => h('li', {
      id: `suggestion-${i}`,
      role: 'option',
      'aria-selected': 'false',
      class: `suggestion suggestion-${item.kind}`,
      // mousedown, not click: the input keeps its focus
      onmousedown: (event) => { event.preventDefault(); pick(i); },
    },
    // the reader's language first; for a dish the other name beside it (Vietnamese to order by)
    h('span', { class: 'suggestion-name', lang: localNameLang(item) }, localName(item)),
    item.kind === 'dish' && secondaryName(item)
      ? h('span', { class: 'suggestion-note', lang: localNameLang(item) === 'en' ? 'vi' : 'en' }, secondaryName(item))
      : h('span', { class: 'suggestion-note' }, item.kind === 'dish' ? t('suggestion_dish') : t('suggestion_eatery')))));
    listbox.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    announce(plural('suggestions', found.length));
  }

  const fetchSuggestions = debounce(async () => {
    const q = input.value.trim();
    inflight?.abort();
    if (q.length < MIN_CHARS) {
      close();
      return;
    }
    inflight = new AbortController();
    try {
      const data = await api('/search/suggest', { params: { q, limit: 8 }, signal: inflight.signal });
      if (input.value.trim() === q && document.activeElement === input) render(data.items);
    } catch {
      /* aborted by newer typing, or the network: no suggestions this time */
    }
  }, DELAY_MS);

  input.addEventListener('input', fetchSuggestions);
  input.addEventListener('keydown', (event) => {
    const count = items.length;
    if (event.key === 'ArrowDown' && count) {
      event.preventDefault();
      highlight((active + 1) % count);
    } else if (event.key === 'ArrowUp' && count) {
      event.preventDefault();
      highlight(active <= 0 ? count - 1 : active - 1);
    } else if (event.key === 'Enter' && active >= 0) {
      event.preventDefault();
      pick(active);
    } else if (event.key === 'Escape') {
      if (!listbox.hidden) {
        event.preventDefault();
        close();
      }
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 100));
  return { close };
}

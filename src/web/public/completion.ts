// Vocabulary completions under a text input, from /api/complete.
import { api } from './api-client.js';
import { ordinal } from './dom.js';

let comboCounter = 0;

/**
 * Adds a listbox of vocabulary completions under a text input (ARIA
 * combobox pattern): arrows move, Enter or a click picks, Escape closes.
 * The list closes as soon as the text is a whole word of the vocabulary, when
 * the input loses focus (a click elsewhere or Tab, which never picks) and on
 * Escape. With `above`, for a field with more fields or buttons below it,
 * the list opens above the field (when there is room), so it never lies over
 * what the user goes to next. ArrowDown opens it again.
 */
export function attachCompletion(
  input: HTMLInputElement,
  onPick: (word: string) => void,
  { above = false } = {},
): void {
  const id = `suggestions-${++comboCounter}`;
  const list = document.createElement('ul');
  list.id = id;
  list.className = 'suggestions';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', 'Words of the vocabulary, the most frequent first');
  list.hidden = true;
  input.after(list);
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', id);
  input.setAttribute('aria-expanded', 'false');

  let items: string[] = [];
  let active = -1;
  let sequence = 0;
  let timer: number | undefined;

  const close = (): void => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  /** Forgets any reply still on its way, so it cannot open the list again. */
  const cancel = (): void => {
    sequence++;
    window.clearTimeout(timer);
    close();
  };
  const highlight = (index: number): void => {
    active = index;
    list
      .querySelectorAll('li')
      .forEach((li, i) => li.setAttribute('aria-selected', String(i === index)));
    if (index >= 0) {
      input.setAttribute('aria-activedescendant', `${id}-${index}`);
      list.children[index]?.scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  };
  const pick = (word: string): void => {
    input.value = word;
    cancel();
    onPick(word);
  };
  const render = (words: Array<{ word: string; rank: number }>): void => {
    items = words.map((w) => w.word);
    list.replaceChildren(
      ...words.map((w, i) => {
        const li = document.createElement('li');
        li.id = `${id}-${i}`;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        const word = document.createElement('span');
        word.textContent = w.word;
        const rank = document.createElement('span');
        rank.className = 'rank';
        rank.textContent = `${ordinal(w.rank + 1)} most frequent`;
        li.append(word, rank);
        // mousedown, not click: it comes before the input loses focus.
        li.addEventListener('mousedown', (event) => {
          event.preventDefault();
          pick(w.word);
        });
        return li;
      }),
    );
    active = -1;
    if (items.length === 0 || document.activeElement !== input) close();
    else {
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      list.classList.toggle(
        'above',
        above && input.getBoundingClientRect().top > list.offsetHeight + 8,
      );
    }
  };
  /** Asks for the completions of the text; a whole word closes the list unless `always`. */
  const refresh = async (always = false): Promise<void> => {
    const prefix = input.value.trim();
    const mine = ++sequence;
    if (prefix === '') {
      render([]);
      return;
    }
    try {
      const reply = await api('/api/complete', { prefix, limit: 8 });
      if (mine !== sequence) return;
      // A whole word typed: nothing left to complete.
      if (reply.exact && !always) close();
      else render(reply.words);
    } catch {
      if (mine === sequence) render([]);
    }
  };

  input.addEventListener('input', () => {
    window.clearTimeout(timer);
    // At once, before the server answers: a whole word shown closes the list, and so does text no suggestion fits.
    const typed = input.value.trim();
    if (items.includes(typed) || !items.some((word) => word.startsWith(typed))) close();
    timer = window.setTimeout(() => void refresh(), 60);
  });
  input.addEventListener('keydown', (event) => {
    if (list.hidden) {
      if (event.key === 'ArrowDown' && input.value.trim() !== '') {
        event.preventDefault();
        // Instead of any refresh still waiting, which would close the list again on a whole word.
        window.clearTimeout(timer);
        void refresh(true);
      }
      return;
    }
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      highlight(Math.min(items.length - 1, active + 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      highlight(Math.max(-1, active - 1));
    } else if (event.key === 'Enter' && active >= 0) {
      event.preventDefault();
      pick(items[active]!);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      cancel();
    }
  });
  input.addEventListener('blur', cancel);
  // A form submit (Enter with nothing highlighted) must not leave stale suggestions open.
  input.form?.addEventListener('submit', cancel);
}

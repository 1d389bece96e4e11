// Vocabulary completions under a text input, from /api/complete.
import { api } from './api-client.js';
import { count } from './dom.js';

let comboCounter = 0;

/**
 * Adds a listbox of vocabulary completions under a text input (ARIA
 * combobox pattern): arrows move, Enter or a click picks, Escape closes.
 */
export function attachCompletion(input: HTMLInputElement, onPick: (word: string) => void): void {
  const id = `suggestions-${++comboCounter}`;
  const list = document.createElement('ul');
  list.id = id;
  list.className = 'suggestions';
  list.setAttribute('role', 'listbox');
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
    close();
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
        rank.textContent = `#${count(w.rank + 1)}`;
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
    }
  };
  const refresh = async (): Promise<void> => {
    const prefix = input.value.trim();
    const mine = ++sequence;
    if (prefix === '') {
      render([]);
      return;
    }
    try {
      const reply = await api('/api/complete', { prefix, limit: 8 });
      if (mine === sequence) render(reply.words);
    } catch {
      if (mine === sequence) render([]);
    }
  };

  input.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void refresh(), 60);
  });
  input.addEventListener('keydown', (event) => {
    if (list.hidden) return;
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
      close();
    }
  });
  input.addEventListener('blur', close);
  // A form submit (Enter with nothing highlighted) must not leave stale suggestions open.
  input.form?.addEventListener('submit', () => {
    sequence++;
    window.clearTimeout(timer);
    close();
  });
}

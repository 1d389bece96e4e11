// A list of scored words (neighbours or analogy answers): each word a button
// that searches for it, its similarity as a number and a bar.
import type { ScoredWord } from '../api-types.js';
import { ordinal } from './dom.js';

/** Fills `list` with `scored`; clicking a word calls `onWord`. */
export function renderScored(
  list: HTMLOListElement,
  scored: readonly ScoredWord[],
  onWord: (word: string) => void,
): void {
  list.replaceChildren(
    ...scored.map((s) => {
      const li = document.createElement('li');
      const word = document.createElement('button');
      word.type = 'button';
      word.className = 'word';
      word.textContent = s.word;
      word.title = `${s.word}: the ${ordinal(s.rank + 1)} most frequent word`;
      word.addEventListener('click', () => onWord(s.word));
      const similarity = document.createElement('span');
      similarity.className = 'similarity';
      similarity.textContent = s.similarity.toFixed(3);
      const bar = document.createElement('span');
      bar.className = 'bar';
      const fill = document.createElement('span');
      fill.style.width = `${Math.max(0, Math.min(1, s.similarity)) * 100}%`;
      bar.append(fill);
      li.append(word, similarity, bar);
      li.dataset.word = s.word;
      return li;
    }),
  );
}

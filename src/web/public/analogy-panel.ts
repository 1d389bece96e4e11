// The analogy panel: a is to b as c is to ?, with completions on the three
// words and the answers as a scored list.
import { api } from './api-client.js';
import { attachCompletion } from './completion.js';
import { byId, errorText, setStatus } from './dom.js';
import { renderScored } from './scored-list.js';

/** The three words: the label before each field, its accessible name and an example. */
const FIELDS = [
  { id: 'analogy-a', label: 'a', name: 'a', example: 'man' },
  { id: 'analogy-b', label: 'is to', name: 'b', example: 'king' },
  { id: 'analogy-c', label: 'as', name: 'c', example: 'woman' },
] as const;

/** Puts the three word fields, each a label and a text input, at the start of the form. */
export function createAnalogyFields(): void {
  byId<HTMLFormElement>('analogy-form').prepend(
    ...FIELDS.flatMap((field) => {
      const label = document.createElement('label');
      label.htmlFor = field.id;
      label.textContent = field.label;
      const combo = document.createElement('div');
      combo.className = 'combo';
      const input = document.createElement('input');
      input.id = field.id;
      input.setAttribute('aria-label', field.name);
      input.type = 'text';
      input.placeholder = field.example;
      input.setAttribute('spellcheck', 'false');
      input.setAttribute('autocapitalize', 'off');
      combo.append(input);
      return [label, combo];
    }),
  );
}

/**
 * Sets up the analogy panel; clicking an answer calls `onWord` with it, and
 * each solved analogy goes to `onResult` (its three words, its answers).
 */
export function attachAnalogyPanel(
  onWord: (word: string) => void,
  onResult: (words: string[], answers: string[]) => void,
): void {
  const [a, b, c] = FIELDS.map((field) => byId<HTMLInputElement>(field.id)) as [
    HTMLInputElement,
    HTMLInputElement,
    HTMLInputElement,
  ];
  const analogyStatus = byId('analogy-status');
  const analogyResults = byId<HTMLOListElement>('analogy-results');
  // The lists open above the fields: the next field and the Solve button are below.
  for (const input of [a, b, c]) attachCompletion(input, () => {}, { above: true });
  byId<HTMLFormElement>('analogy-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      const [wa, wb, wc] = [a.value.trim(), b.value.trim(), c.value.trim()];
      if (!wa || !wb || !wc) {
        setStatus(analogyStatus, 'Fill in all three words.', true);
        return;
      }
      setStatus(analogyStatus, 'Solving…');
      try {
        const reply = await api('/api/analogy', { a: wa, b: wb, c: wc, topn: 10 });
        renderScored(analogyResults, reply.answers, onWord);
        onResult(
          [reply.a, reply.b, reply.c],
          reply.answers.map((answer) => answer.word),
        );
        const best = reply.answers[0];
        setStatus(
          analogyStatus,
          best ? `${reply.a} : ${reply.b} = ${reply.c} : ${best.word}` : 'No answer.',
        );
      } catch (err) {
        analogyResults.replaceChildren();
        setStatus(analogyStatus, errorText(err), true);
      }
    })();
  });
}

// The model's facts in the page header (file, words, dimensions, size): one
// row of the list each, '…' until the model's info arrives.
import type { InfoReply } from '../api-types.js';
import { byId, count } from './dom.js';

interface Fact {
  id: string;
  label: string;
  value(info: InfoReply): string;
}

const FACTS: readonly Fact[] = [
  { id: 'fact-file', label: 'File', value: (info) => info.file },
  { id: 'fact-words', label: 'Words', value: (info) => count(info.vocabSize) },
  { id: 'fact-dim', label: 'Dimensions', value: (info) => String(info.dim) },
  {
    id: 'fact-size',
    label: 'Size',
    value: (info) => (info.fileBytes === null ? 'n/a' : formatBytes(info.fileBytes)),
  },
];

function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} B`;
}

/** Fills the facts list (#facts) with a row per fact, each value '…'. */
export function createFacts(): void {
  byId('facts').replaceChildren(
    ...FACTS.map((fact) => {
      const row = document.createElement('div');
      const label = document.createElement('dt');
      label.textContent = fact.label;
      const value = document.createElement('dd');
      value.id = fact.id;
      value.textContent = '…';
      row.append(label, value);
      return row;
    }),
  );
}

/** Shows the model's facts. */
export function showFacts(info: InfoReply): void {
  for (const fact of FACTS) byId(fact.id).textContent = fact.value(info);
}

// The phrase file's text, and writing it: a few `#` lines with the
// settings, then each pass's phrases after a `# pass N` line, one a line:
// the phrase joined with the delimiter, its score and its count, separated
// by tabs.
import { writeFileAtomically } from '../io/atomic-write.js';
import type { Phrase, PhraseSettings } from './phrase-model.js';

export const PHRASE_FILE_MAGIC = '# w2v phrases';

/** The phrases of each pass as the phrase file's text. */
export function phraseFileText(
  settings: PhraseSettings,
  layers: readonly (readonly Phrase[])[],
): string {
  const s = settings;
  const lines = [
    `${PHRASE_FILE_MAGIC} 1`,
    `# scoring\t${s.scoring}`,
    `# delimiter\t${s.delimiter}`,
    `# min-count\t${s.minCount}`,
    `# threshold\t${s.thresholds.join(',')}`,
    `# connector-words\t${s.connectorWords.join(' ')}`,
  ];
  layers.forEach((layer, i) => {
    lines.push(`# pass ${i + 1}`);
    for (const p of layer) lines.push(`${p.phrase}\t${p.score}\t${p.count}`);
  });
  return `${lines.join('\n')}\n`;
}

/** Writes the phrase file to `path` (atomically). */
export async function writePhraseFile(
  path: string,
  settings: PhraseSettings,
  layers: readonly (readonly Phrase[])[],
): Promise<void> {
  const text = phraseFileText(settings, layers);
  await writeFileAtomically(path, async (handle) => {
    await handle.writeFile(text, 'utf8');
  });
}

/**
 * Calling the real fastText command line for the subword tests: training a
 * small model, and reading back its word vectors, n-gram rows and neighbours.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { FASTTEXT } from './peers.js';
import { Random } from '../src/sampling/random.js';

/** Runs fastText with `args` (and `input` on stdin); its stdout, or throws with its stderr. */
export function runFastText(args: string[], input?: string): string {
  const run = spawnSync(FASTTEXT, args, { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`fasttext ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout;
}

/** `fasttext print-word-vectors`: each word's vector, in the order given. */
export function fastTextVectors(model: string, words: readonly string[]): number[][] {
  const out = runFastText(['print-word-vectors', model], words.join('\n') + '\n');
  return out
    .trim()
    .split('\n')
    .map((line) => line.trim().split(' ').slice(1).map(Number));
}

/** `fasttext nn`: the k neighbours of each word, with their similarities. */
export function fastTextNeighbours(
  model: string,
  word: string,
  k: number,
): Array<{ word: string; similarity: number }> {
  const out = runFastText(['nn', model, String(k)], `${word}\n`);
  return out
    .replace(/Query word\? /g, '\n')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const at = line.lastIndexOf(' ');
      return { word: line.slice(0, at), similarity: Number(line.slice(at + 1)) };
    });
}

/** `fasttext print-ngrams`: each n-gram of `word` and its row. */
export function fastTextNgrams(
  model: string,
  word: string,
): Array<{ ngram: string; row: number[] }> {
  return runFastText(['print-ngrams', model, word])
    .trim()
    .split('\n')
    .map((line) => {
      const parts = line.trim().split(' ');
      return { ngram: parts[0]!, row: parts.slice(1).map(Number) };
    });
}

/** Stems and endings, ASCII and not, so that words share n-grams. */
const STEMS = [
  'walk',
  'talk',
  'jump',
  'café',
  'naïve',
  'über',
  'мир',
  'слово',
  '日本',
  'read',
  'écrit',
  'straße',
];
const ENDINGS = ['', 's', 'ed', 'ing', 'er', 'é', 'ый', 'ness'];

/**
 * A corpus of inflected words in topics (each sentence draws from three
 * stems), so that a trained model has distinct neighbours.
 */
export function writeMorphologyCorpus(path: string, sentences = 2000, seed = 1): void {
  const random = new Random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random.next() * items.length)]!;
  const lines: string[] = [];
  for (let s = 0; s < sentences; s++) {
    const topic = Math.floor(random.next() * 4) * 3;
    const stems = STEMS.slice(topic, topic + 3);
    lines.push(Array.from({ length: 12 }, () => pick(stems) + pick(ENDINGS)).join(' '));
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

/**
 * Whether `ours` equals a value fastText printed: to 1e-5, or to the 5
 * significant digits it prints (1.3112 for 1.31124).
 */
export function closeToPrinted(ours: number, printed: number): boolean {
  return Math.abs(ours - printed) <= Math.max(1e-5, 1e-4 * Math.abs(printed));
}

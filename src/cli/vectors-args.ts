/**
 * What the commands that read a model (similar, analogy, eval, convert)
 * share: the model options, loading, word checks and the neighbour table.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { W2vError } from '../errors.js';
import { FILE_FORMATS, loadVectors, type FileFormat } from '../io/load.js';
import type { KeyedVectors, Neighbour } from '../vectors/keyed-vectors.js';
import { parseInteger } from './arguments.js';

export interface ModelOptions {
  format?: FileFormat;
  limit?: number;
}

/** An integer of at least 1. */
export function parsePositiveInteger(text: string): number {
  const value = parseInteger(text);
  if (value < 1) throw new InvalidArgumentError('Expected a positive integer.');
  return value;
}

/** Adds `--format` and `--limit`, the options for reading a model. */
export function addModelOptions(command: Command, formatFlag = '--format <format>'): Command {
  return command
    .addOption(
      new Option(formatFlag, 'model file format (default: from the extension, else from the content)').choices([...FILE_FORMATS]),
    )
    .addOption(new Option('--limit <n>', 'load only the n most frequent words').argParser(parsePositiveInteger));
}

/**
 * Loads a model for a command.
 * @throws InputError if it cannot be read.
 */
export function loadModel(path: string, options: ModelOptions): Promise<KeyedVectors> {
  return loadVectors(path, { format: options.format, limit: options.limit });
}

/**
 * Throws a W2vError (exit code 1) naming the first word that `kv` lacks,
 * and a differently cased variant if the model has one.
 */
export function requireWords(kv: KeyedVectors, words: readonly string[], model: string): void {
  for (const word of words) {
    if (kv.has(word)) continue;
    const variant = [word.toLowerCase(), word.toUpperCase(), word.charAt(0).toUpperCase() + word.slice(1).toLowerCase()]
      .find((candidate) => kv.has(candidate));
    throw new W2vError(
      `'${word}' is not in the vocabulary of ${model} (${kv.size.toLocaleString('en-US')} words)` +
        (variant ? `; did you mean '${variant}'?` : ''),
    );
  }
}

/**
 * Neighbours as a table: rank, word, similarity.
 * @example
 * formatNeighbours([{ word: 'queen', similarity: 0.71 }]); // '   1  queen  0.7100\n'
 */
export function formatNeighbours(neighbours: readonly Neighbour[]): string {
  if (neighbours.length === 0) return '(no candidates)\n';
  const rankWidth = String(neighbours.length).length;
  const wordWidth = Math.max(...neighbours.map((n) => n.word.length));
  return neighbours
    .map((n, i) => `${String(i + 1).padStart(rankWidth + 2)}  ${n.word.padEnd(wordWidth)}  ${n.similarity.toFixed(4)}\n`)
    .join('');
}

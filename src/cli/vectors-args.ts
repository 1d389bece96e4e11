/**
 * What the commands that read a model (similar, analogy, eval, convert,
 * serve) share: the model options, loading and its warnings, word checks and
 * the neighbour table. Words from the model are printed with their control
 * characters escaped (see printable).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { W2vError } from '../errors.js';
import { basename } from 'node:path';
import { LOAD_FORMATS, type LoadFormat } from '../io/file-format.js';
import { loadVectors } from '../io/load.js';
import { printable, quoteWord } from '../printable.js';
import { SubwordKeyedVectors } from '../subwords/subword-keyed-vectors.js';
import type { KeyedVectors, Neighbour } from '../vectors/keyed-vectors.js';
import { parseInteger } from './arguments.js';
import { LoadProgressBar } from './load-progress.js';

export interface ModelOptions {
  format?: LoadFormat;
  limit?: number;
  /** Drops the loader's warnings and progress (for commands with --quiet). */
  quiet?: boolean;
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
      new Option(
        formatFlag,
        'model file format (default: from the extension, else from the content)',
      ).choices([...LOAD_FORMATS]),
    )
    .addOption(
      new Option('--limit <n>', 'load only the n most frequent words').argParser(
        parsePositiveInteger,
      ),
    );
}

/** The options of the query commands (similar, analogy). */
export interface QueryOptions extends ModelOptions {
  topn: number;
  restrict?: number;
  json?: boolean;
}

/** Adds the query commands' `--topn` (`topnHelp` says what it counts), `--restrict`, the model options and `--json`. */
export function addQueryOptions(command: Command, topnHelp: string, jsonHelp: string): Command {
  command
    .addOption(new Option('--topn <n>', topnHelp).argParser(parsePositiveInteger).default(10))
    .addOption(
      new Option('--restrict <n>', 'only the n most frequent words are candidates').argParser(
        parsePositiveInteger,
      ),
    );
  return addModelOptions(command).addOption(new Option('--json', jsonHelp));
}

/**
 * The `onWarning` of the CLI's loads: each warning as a `w2v: warning:` line
 * on stderr, or nothing when `quiet`.
 */
export function warningPrinter(quiet = false): (message: string) => void {
  return (message) => {
    if (!quiet) process.stderr.write(`w2v: warning: ${message}\n`);
  };
}

/**
 * The `onProgress` of the CLI's loads: a bar on stderr for a load that takes
 * more than a second on a terminal, or nothing when `quiet`. Call `stop`
 * when the load ends.
 */
export function loadProgress(
  path: string,
  quiet = false,
): { onProgress?: LoadProgressBar['update']; stop: () => void } {
  if (quiet) return { stop: () => undefined };
  const bar = new LoadProgressBar(basename(path));
  return { onProgress: bar.update, stop: () => bar.stop() };
}

/**
 * Loads a model for a command, printing the loader's warnings and, for a
 * long load on a terminal, its progress.
 * @throws InputError if it cannot be read.
 */
export async function loadModel(path: string, options: ModelOptions): Promise<KeyedVectors> {
  const progress = loadProgress(path, options.quiet);
  try {
    return await loadVectors(path, {
      format: options.format,
      limit: options.limit,
      onWarning: warningPrinter(options.quiet),
      onProgress: progress.onProgress,
    });
  } finally {
    progress.stop();
  }
}

/**
 * Throws a W2vError (exit code 1) naming the first word that `kv` lacks (a
 * subword model lacks only words without n-grams), and a differently cased
 * variant if the model has one, or whose vector
 * holds NaN or an infinity, which cannot be compared.
 */
export function requireWords(kv: KeyedVectors, words: readonly string[], model: string): void {
  for (const word of words) {
    const row = kv.indexOf(word);
    if (row >= 0) {
      if (kv.isFiniteRow(row)) continue;
      throw new W2vError(
        `${quoteWord(word)} has NaN or infinite values in ${model}, so it cannot be compared`,
      );
    }
    // A subword model gives a word outside its vocabulary the vector of its n-grams.
    if (kv instanceof SubwordKeyedVectors && kv.hasVectorFor(word)) continue;
    const variant = [
      word.toLowerCase(),
      word.toUpperCase(),
      word.charAt(0).toUpperCase() + word.slice(1).toLowerCase(),
    ].find((candidate) => kv.has(candidate));
    throw new W2vError(
      `${quoteWord(word)} is not in the vocabulary of ${model} (${kv.size.toLocaleString('en-US')} words)` +
        (variant ? `; did you mean ${quoteWord(variant)}?` : ''),
    );
  }
}

/**
 * Neighbours as a table: rank, word (printable), similarity.
 * @example
 * formatNeighbours([{ word: 'queen', similarity: 0.71 }]); // '   1  queen  0.7100\n'
 */
export function formatNeighbours(neighbours: readonly Neighbour[]): string {
  if (neighbours.length === 0) return '(no candidates)\n';
  const rankWidth = String(neighbours.length).length;
  const shown = neighbours.map((n) => printable(n.word));
  const wordWidth = Math.max(...shown.map((word) => word.length));
  return neighbours
    .map(
      (n, i) =>
        `${String(i + 1).padStart(rankWidth + 2)}  ${shown[i]!.padEnd(wordWidth)}  ${n.similarity.toFixed(4)}\n`,
    )
    .join('');
}

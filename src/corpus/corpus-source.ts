// Where a run's text comes from: corpus files, or sentences given in
// memory or as a stream. Either is read by passes of bytes; a source that
// can be read only once (a generator, a stream, standard input, a named
// pipe) is never read a second time: the counting pass keeps it.
import { stat } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { optionError, optionName, type OptionNaming } from '../options.js';
import type { CountedFile, PassAgain } from './encoded.js';
import { corpusBuffers, type CorpusBuffer } from './reader.js';
import { sentenceSource, type SentenceSource } from './sentence-source.js';

export interface CorpusSource {
  /** How messages name it: "corpus 'a.txt', 'b.txt'", "corpus (standard input)". */
  readonly name: string;
  /** The corpus files, or none for sentences. */
  readonly files: readonly string[];
  /** Whether it can be read only once: then the counting pass keeps it, in memory or in a temporary file. */
  readonly oneShot: boolean;
  /** Whether its tokens came as arrays, with their white space escaped (see sentence-source.ts). */
  readonly escaped: boolean;
  /** The counting pass. */
  count(onWarning: (message: string) => void): AsyncIterable<CorpusBuffer>;
  /** A later pass, checked against what the counting pass found (only for a source that is not one-shot). */
  again(counted: readonly CountedFile[]): PassAgain;
}

/** What a run reads: `input` files or `sentences`, exactly one of them. */
export async function corpusSource(
  input: readonly string[],
  sentences: unknown,
  naming: OptionNaming = 'key',
): Promise<CorpusSource> {
  if (sentences !== undefined && input.length > 0) {
    throw optionError(
      'input',
      `: give the corpus as files (${optionName('input', naming)}) or as sentences, not both`,
      naming,
    );
  }
  if (sentences !== undefined) {
    const name = sentences === process.stdin ? 'standard input' : 'the sentences given';
    return fromSentences(sentenceSource(sentences, name));
  }
  if (input.length === 0) {
    throw optionError(
      'input',
      naming === 'flag'
        ? 'must name at least one corpus file (or - for standard input)'
        : 'must name at least one corpus file, or give sentences',
      naming,
    );
  }
  return fromFiles(input, await holdsPipe(input));
}

/** Whether any of the files is not a regular file (a named pipe, a process substitution, a device): those read once. */
async function holdsPipe(paths: readonly string[]): Promise<boolean> {
  for (const path of paths) {
    try {
      if (!(await stat(path)).isFile()) return true;
    } catch {
      // The reader names a missing file.
    }
  }
  return false;
}

function fromFiles(paths: readonly string[], oneShot: boolean): CorpusSource {
  return {
    name: `corpus ${paths.map((p) => `'${p}'`).join(', ')}`,
    files: paths,
    oneShot,
    escaped: false,
    count: (onWarning) => corpusBuffers(paths, { onWarning }),
    again: (counted) => ({
      buffers: corpusBuffers(
        counted.map((file) => file.path),
        { counted },
      ),
      counted,
      escaped: false,
    }),
  };
}

function fromSentences(source: SentenceSource): CorpusSource {
  return {
    name: `corpus (${source.name})`,
    files: [],
    oneShot: source.oneShot,
    get escaped() {
      return source.escaped;
    },
    count: () => source.pass(),
    again: (counted) => ({
      buffers: source.pass(),
      counted,
      escaped: source.escaped,
      changed: (_file, change) =>
        new InputError(
          `${source.name} changed between passes (${change}): every pass must read the same sentences; ` +
            'a function given as sentences must return the same ones each time',
        ),
    }),
  };
}

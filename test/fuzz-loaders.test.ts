/**
 * Property-based fuzzing of every model loader. Valid files written by our
 * own savers are damaged (truncated, bits flipped, bytes inserted or deleted,
 * header numbers replaced, native headers and blocks forged with valid
 * checksums) or replaced by noise. Whatever the bytes, loading must either
 * give a consistent model or throw an InputError naming the file and a line
 * or byte offset: no other exception, no hang, and no allocation beyond a
 * small multiple of the file's size.
 *
 * Runs per property default to a CI-sized count; `W2V_FUZZ_RUNS=<n>` sets
 * it for a long run by hand (the files over 1 MiB get n/25), and
 * `W2V_FUZZ_SEED=<seed>` replays a failure.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { InputError } from '../src/errors.js';
import type { FileFormat } from '../src/io/file-format.js';
import { detectFormat, loadVectors } from '../src/io/load.js';
import { loadNative, saveNative, type NativeModel } from '../src/io/native-format.js';
import { loadWord2Vec, saveWord2Vec } from '../src/io/word2vec-format.js';
import { resolveOptions } from '../src/options.js';
import { seededRandom } from '../src/sampling/random.js';
import { KeyedVectors } from '../src/vectors/keyed-vectors.js';
import {
  byteMutation,
  byteMutationAt,
  forgeNative,
  fuzzRuns,
  fuzzSeed,
  modelArbitrary,
  mutate,
  nativeForgery,
  nativeWord,
  randomFile,
  word2vecMutation,
  word2vecWord,
  type Mutation,
  type NativeForgery,
} from './fuzz-inputs.js';

const directory = mkdtempSync(join(tmpdir(), 'w2v-fuzz-test-'));
after(() => rmSync(directory, { recursive: true, force: true }));

/** Valid models per format, saved once; each run picks one and damages it. */
const POOL_SIZE = 64;
/** A load that takes longer is a hang. */
const LOAD_TIMEOUT_MS = 5000;
/** Memory a load may use whatever the file's size: the read buffer (1 MiB) and the format sniff (64 KiB), with room. */
const FIXED_ALLOWANCE_BYTES = 4 << 20;
/** ... plus this many bytes per byte of file (text values can take 2 bytes each and become 4). */
const ALLOWANCE_PER_FILE_BYTE = 4;

const WHERE = /\bline \d+|\bbyte offset \d+/;

interface Sample<M> {
  model: M;
  bytes: Uint8Array;
}

type Outcome<T> = { loaded: T } | { error: InputError };

/**
 * How often each kind of outcome occurred (messages with their numbers and
 * quotes blanked), printed with W2V_FUZZ_STATS=1 to see which checks the
 * fuzzer reaches.
 */
const outcomes = new Map<string, number>();
after(() => {
  if (!process.env['W2V_FUZZ_STATS']) return;
  const rows = [...outcomes].sort((a, b) => b[1] - a[1]);
  for (const [kind, count] of rows) process.stderr.write(`${String(count).padStart(8)}  ${kind}\n`);
});

function countOutcome(kind: string): void {
  outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
}

/**
 * Runs `load` on `path` and checks the outcome is a model or an InputError
 * naming the file and a line or byte offset, within the time and memory bounds.
 */
async function loadChecked<T>(
  path: string,
  fileBytes: number,
  load: () => Promise<T>,
): Promise<Outcome<T>> {
  const memoryBefore = process.memoryUsage().arrayBuffers;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`loading ${path} took over ${LOAD_TIMEOUT_MS} ms`)),
      LOAD_TIMEOUT_MS,
    );
  });
  let outcome: Outcome<T>;
  try {
    outcome = { loaded: await Promise.race([load(), timeout]) };
    countOutcome('loaded');
  } catch (error) {
    if (!(error instanceof InputError)) {
      const text =
        error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error);
      assert.fail(`expected an InputError, got ${text}`);
    }
    assert.ok(error.message.includes(path), `the message does not name the file: ${error.message}`);
    assert.match(error.message, WHERE, 'the message names no line or byte offset');
    outcome = { error };
    countOutcome(
      error.message
        .split(path)
        .join('<file>')
        .replace(/"[^"]*"|'[^']*'/g, '…')
        .replace(/\d+/g, 'N'),
    );
  } finally {
    clearTimeout(timer);
  }
  const grown = process.memoryUsage().arrayBuffers - memoryBefore;
  const allowed = FIXED_ALLOWANCE_BYTES + ALLOWANCE_PER_FILE_BYTE * fileBytes;
  assert.ok(
    grown <= allowed,
    `loading a ${fileBytes}-byte file allocated ${grown} bytes (allowed ${allowed})`,
  );
  return outcome;
}

/** A loader's onWarning for `path`: every warning is one line naming the file. */
function warningsAbout(path: string): (message: string) => void {
  return (message) => {
    assert.ok(message.startsWith(`${path}: `), `the warning does not name the file: ${message}`);
    assert.doesNotMatch(
      message,
      /[\n\r]/,
      `the warning is not one line: ${JSON.stringify(message)}`,
    );
  };
}

/** What every loaded model must satisfy, whatever the file held. */
function assertConsistent(kv: KeyedVectors, limit: number | undefined): void {
  assert.ok(Number.isSafeInteger(kv.dim) && kv.dim >= 1, `dim ${kv.dim}`);
  assert.equal(kv.vectors.length, kv.words.length * kv.dim);
  assert.equal(kv.size, kv.words.length);
  if (limit !== undefined)
    assert.ok(kv.size <= limit, `${kv.size} words loaded with limit ${limit}`);
  kv.words.forEach((word, i) =>
    assert.equal(kv.indexOf(word), i, `word ${i} '${word}' is not unique`),
  );
}

/** The first `limit` words and values of `expected`; values compared with Object.is (so -0 and NaN count). */
function assertSameVectors(
  actual: KeyedVectors,
  expected: KeyedVectors,
  limit: number | undefined,
  valueOf = (v: number) => v,
): void {
  const size = Math.min(expected.size, limit ?? Infinity);
  assert.equal(actual.dim, expected.dim);
  assert.deepEqual(actual.words, expected.words.slice(0, size));
  for (let i = 0; i < size * expected.dim; i++) {
    const want = valueOf(expected.vectors[i]!);
    if (!Object.is(actual.vectors[i], want))
      assert.fail(`value ${i} is ${actual.vectors[i]}, expected ${want}`);
  }
}

/**
 * A word2vec file that loaded has a header line of two numbers, the
 * dimension it says and at most the words it says, and words that the
 * format can hold (non-empty, without a space).
 */
function assertHeaderSays(file: Uint8Array, kv: KeyedVectors): void {
  const newline = file.indexOf(0x0a);
  const header = /^\s*(\d+)[ \t]+(\d+)\s*$/.exec(
    Buffer.from(file.subarray(0, newline)).toString('utf8'),
  );
  assert.ok(newline >= 0 && header, 'a file whose first line is not "<count> <dim>" loaded');
  assert.equal(kv.dim, Number(header[2]), 'the dimension is not the one the header says');
  assert.ok(kv.size <= Number(header[1]), `${kv.size} words loaded; the header says ${header[1]}`);
  for (const word of kv.words)
    assert.ok(word.length > 0 && !word.includes(' '), `word ${JSON.stringify(word)} loaded`);
}

/** A GloVe file's dimension is that of its first line, and it has no more words than lines. */
function assertGloveSays(file: Uint8Array, kv: KeyedVectors): void {
  const lines = Buffer.from(file).toString('utf8').trim().split('\n');
  // The loader's white space: space, tab and carriage return between the fields of a line.
  const fields = lines[0]!.split(/[ \t\r]+/).filter((field) => field !== '');
  assert.equal(kv.dim, fields.length - 1, 'the dimension is not that of line 1');
  assert.ok(kv.size <= lines.length, `${kv.size} words loaded from ${lines.length} lines`);
}

function applyAll(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  return mutations.reduce(mutate, bytes);
}

/** 0 to 3 mutations; none in about one run of eight, which must then load exactly. */
function mutations(single: fc.Arbitrary<Mutation>): fc.Arbitrary<Mutation[]> {
  return fc.oneof(
    { arbitrary: fc.constant<Mutation[]>([]), weight: 1 },
    { arbitrary: fc.array(single, { minLength: 1, maxLength: 3 }), weight: 7 },
  );
}

const limitArbitrary = fc.option(fc.nat(9), { nil: undefined, freq: 3 });

function fuzzOptions(runs: number): fc.Parameters<unknown> {
  const seed = fuzzSeed();
  return { numRuns: runs, includeErrorInReport: true, ...(seed === undefined ? {} : { seed }) };
}

// ---- the pools of valid files ----

async function savedSamples<M>(
  models: M[],
  name: string,
  save: (model: M, path: string) => Promise<void>,
): Promise<Sample<M>[]> {
  const samples: Sample<M>[] = [];
  for (const [i, model] of models.entries()) {
    const path = join(directory, `pool-${i}-${name}`);
    await save(model, path);
    samples.push({ model, bytes: readFileSync(path) });
    rmSync(path);
  }
  return samples;
}

/** fastText's `.vec` style: values as C++ streams print them (6 significant digits), each followed by a space. */
function fastTextValue(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  if (exponent < -5 || exponent >= 6) {
    const [mantissa, power] = value.toExponential(5).split('e') as [string, string];
    const digits = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
    const sign = power.startsWith('-') ? '-' : '+';
    return `${digits}e${sign}${power.replace(/^[+-]/, '').padStart(2, '0')}`;
  }
  const fixed = value.toPrecision(6);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

function fastTextVecBytes(kv: KeyedVectors): Uint8Array {
  const lines = [`${kv.size} ${kv.dim}\n`];
  kv.words.forEach((word, row) => {
    const values = Array.from(
      kv.vectors.subarray(row * kv.dim, (row + 1) * kv.dim),
      (v) => `${fastTextValue(v)} `,
    ).join('');
    lines.push(`${word} ${values}\n`);
  });
  return Buffer.from(lines.join(''), 'utf8');
}

const nativeModelArbitrary: fc.Arbitrary<NativeModel> = fc
  .tuple(
    modelArbitrary(nativeWord),
    fc.boolean(),
    fc.constantFrom('none', 'ns', 'hs'),
    fc.boolean(),
    fc.nat(),
  )
  .map(([kv, withCounts, kind, withOptions, seed]) => {
    const model: NativeModel = { vectors: kv };
    if (withCounts) model.counts = Float64Array.from(kv.words, (_, i) => 1000 - i * 7.5);
    if (kind !== 'none') {
      const rows = kind === 'ns' ? kv.size : Math.max(kv.size - 1, 1);
      model.outputWeights = Float32Array.from(
        { length: rows * kv.dim },
        (_, i) => ((seed + i) % 13) - 6.5,
      );
      model.outputKind = kind as 'ns' | 'hs';
    }
    if (withOptions)
      model.options = resolveOptions({
        input: ['corpus.txt'],
        dim: kv.dim,
        loss: kind === 'hs' ? 'hs' : 'ns',
        threads: 2,
        seed,
      });
    // A checkpoint: the whole model and where its run stopped.
    if (model.counts && model.outputWeights && model.options && seed % 2 === 0) {
      model.training = {
        wordsDone: seed % 1000,
        totalWords: 1000 + (seed % 7),
        epoch: seed % 3,
        chunksDone: seed % 5,
        chunkTarget: 1 + (seed % 9),
        randomStates: ['0123456789abcdef', (seed % 2 ** 32).toString(16).padStart(16, '0')],
        examples: seed % 100_000,
        epochLoss: (seed % 1000) / 7,
        epochExamples: seed % 50,
        corpus: { tokens: 5000, files: [{ path: 'corpus.txt', bytes: 26_000 }] },
      };
    }
    return model;
  });

function sample<T>(arbitrary: fc.Arbitrary<T>): T[] {
  return fc.sample(arbitrary, {
    numRuns: POOL_SIZE,
    ...(fuzzSeed() === undefined ? {} : { seed: fuzzSeed()! }),
  });
}

let binaryPool: Sample<KeyedVectors>[];
let textPool: Sample<KeyedVectors>[];
let vecPool: Sample<KeyedVectors>[];
let nativePool: Sample<NativeModel>[];

before(async () => {
  const word2vecModels = sample(modelArbitrary(word2vecWord));
  binaryPool = await savedSamples(word2vecModels, 'model.bin', (kv, path) =>
    saveWord2Vec(kv, path, { format: 'bin' }),
  );
  textPool = await savedSamples(word2vecModels, 'model.txt', (kv, path) =>
    saveWord2Vec(kv, path, { format: 'txt' }),
  );
  vecPool = word2vecModels.map((kv) => ({ model: kv, bytes: fastTextVecBytes(kv) }));
  nativePool = await savedSamples(sample(nativeModelArbitrary), 'model.w2v', (model, path) =>
    saveNative(path, model),
  );
});

// ---- the properties ----

/** Through the format's own loader, or through loadVectors: by extension, or by content for a file name that does not say. */
type Route = 'loader' | 'by-extension' | 'by-content';
const routeArbitrary = fc.constantFrom<Route>('loader', 'by-extension', 'by-content');

interface Word2vecLoad {
  /** File name without extension, in the test directory. */
  name: string;
  extension: string;
  format: Exclude<FileFormat, 'native' | 'fasttext'>;
  limit: number | undefined;
  route: Route;
  /** What a value looks like after a save and load in this format (text rounds it). */
  storedValue?: (v: number) => number;
}

/**
 * Writes a (maybe damaged) word2vec file and loads it by `route`: it must load
 * consistently or fail cleanly, and an undamaged file must load exactly `model`.
 */
async function checkWord2vecFile(
  file: Uint8Array,
  damaged: boolean,
  model: KeyedVectors,
  load: Word2vecLoad,
): Promise<void> {
  const { format, limit, route } = load;
  const path = join(
    directory,
    route === 'by-content' ? load.name : `${load.name}${load.extension}`,
  );
  writeFileSync(path, file);
  const outcome = await loadChecked(path, file.length, () =>
    route === 'loader'
      ? loadWord2Vec(path, { format, limit, onWarning: warningsAbout(path) })
      : loadVectors(path, { limit, onWarning: warningsAbout(path) }),
  );
  if ('loaded' in outcome) {
    assertConsistent(outcome.loaded, limit);
    // Damage can leave a file that is a GloVe file (no header) as much as a word2vec one.
    if (route !== 'loader' && (await detectFormat(path)) === 'glove')
      assertGloveSays(file, outcome.loaded);
    else assertHeaderSays(file, outcome.loaded);
  }
  if (!damaged) {
    assert.ok(
      'loaded' in outcome,
      `a valid file failed to load: ${'error' in outcome ? outcome.error.message : ''}`,
    );
    assertSameVectors(outcome.loaded, model, limit, load.storedValue);
  }
}

const EXTENSION: Record<FileFormat, string> = {
  bin: '.bin',
  txt: '.txt',
  native: '.w2v',
  fasttext: '.bin',
};

function word2vecProperty(
  pool: () => Sample<KeyedVectors>[],
  format: Exclude<FileFormat, 'native' | 'fasttext'>,
  extension: string,
  valueOf?: (v: number) => number,
) {
  return fc.asyncProperty(
    fc.nat(),
    mutations(word2vecMutation),
    limitArbitrary,
    routeArbitrary,
    async (pick, damage, limit, route) => {
      const { model, bytes } = pool()[pick % POOL_SIZE]!;
      await checkWord2vecFile(applyAll(bytes, damage), damage.length > 0, model, {
        name: 'fuzzed',
        extension,
        format,
        limit,
        route,
        storedValue: valueOf,
      });
    },
  );
}

const binaryRuns = fuzzRuns(1500);
test(`word2vec binary: ${binaryRuns} damaged files load or give an InputError with an offset`, async () => {
  await fc.assert(
    word2vecProperty(() => binaryPool, 'bin', '.bin'),
    fuzzOptions(binaryRuns),
  );
});

const textRuns = fuzzRuns(1500);
test(`word2vec text: ${textRuns} damaged files load or give an InputError with a line`, async () => {
  await fc.assert(
    word2vecProperty(() => textPool, 'txt', '.txt'),
    fuzzOptions(textRuns),
  );
});

const vecRuns = fuzzRuns(1000);
test(`fastText .vec: ${vecRuns} damaged files load or give an InputError with a line`, async () => {
  const asPrinted = (v: number): number =>
    Math.fround(Number(fastTextValue(v).replace('inf', 'Infinity')));
  await fc.assert(
    word2vecProperty(() => vecPool, 'txt', '.vec', asPrinted),
    fuzzOptions(vecRuns),
  );
});

type NativeDamage =
  { kind: 'bytes'; mutation: Mutation } | { kind: 'forged'; forgery: NativeForgery };
const nativeDamage: fc.Arbitrary<NativeDamage> = fc.oneof(
  byteMutation.map((mutation) => ({ kind: 'bytes' as const, mutation })),
  nativeForgery.map((forgery) => ({ kind: 'forged' as const, forgery })),
);

function assertConsistentNative(model: NativeModel, limit: number | undefined): void {
  const kv = model.vectors;
  assertConsistent(kv, limit);
  if (model.counts) assert.equal(model.counts.length, kv.size);
  assert.equal(
    model.outputWeights === undefined,
    model.outputKind === undefined,
    'output weights without a kind or a kind without weights',
  );
  if (model.outputWeights) {
    const rows = model.outputKind === 'ns' ? kv.size : Math.max(kv.size - 1, 1);
    assert.ok(model.outputKind === 'ns' || model.outputKind === 'hs');
    assert.equal(model.outputWeights.length, rows * kv.dim);
  }
  if (model.training) {
    assert.ok(
      model.counts && model.outputWeights && model.options,
      'a checkpoint without the whole model',
    );
    assert.ok(
      model.training.wordsDone <= model.training.totalWords &&
        model.training.randomStates.length > 0,
    );
  }
}

const nativeRuns = fuzzRuns(2500);
test(`native .w2v: ${nativeRuns} damaged or forged files load or give an InputError with an offset`, async () => {
  const property = fc.asyncProperty(
    fc.nat(),
    fc.oneof(
      { arbitrary: fc.constant<NativeDamage[]>([]), weight: 1 },
      { arbitrary: fc.array(nativeDamage, { minLength: 1, maxLength: 3 }), weight: 7 },
    ),
    limitArbitrary,
    routeArbitrary,
    async (pick, damage, limit, route) => {
      const { model, bytes } = nativePool[pick % POOL_SIZE]!;
      const file = damage.reduce(
        (b, d) => (d.kind === 'bytes' ? mutate(b, d.mutation) : forgeNative(b, d.forgery)),
        bytes,
      );
      const path = join(directory, route === 'by-content' ? 'fuzzed' : 'fuzzed.w2v');
      writeFileSync(path, file);
      if (route === 'loader') {
        const outcome = await loadChecked(path, file.length, () =>
          loadNative(path, { limit, onWarning: warningsAbout(path) }),
        );
        if ('loaded' in outcome) assertConsistentNative(outcome.loaded, limit);
        if (damage.length === 0) {
          assert.ok(
            'loaded' in outcome,
            `a valid file failed to load: ${'error' in outcome ? outcome.error.message : ''}`,
          );
          assertSameVectors(outcome.loaded.vectors, model.vectors, limit);
          const whole = limit === undefined || limit >= model.vectors.size;
          assert.deepEqual(outcome.loaded.training, whole ? model.training : undefined);
        }
      } else {
        const outcome = await loadChecked(path, file.length, () =>
          loadVectors(path, { limit, onWarning: warningsAbout(path) }),
        );
        if ('loaded' in outcome) assertConsistent(outcome.loaded, limit);
        if (damage.length === 0) {
          assert.ok(
            'loaded' in outcome,
            `a valid file failed to load: ${'error' in outcome ? outcome.error.message : ''}`,
          );
          assertSameVectors(outcome.loaded, model.vectors, limit);
        }
      }
    },
  );
  await fc.assert(property, fuzzOptions(nativeRuns));
});

const randomRuns = fuzzRuns(1500);
test(`any loader: ${randomRuns} files of random bytes load or give an InputError with an offset`, async () => {
  const formats = fc.constantFrom<FileFormat | 'by-content'>('bin', 'txt', 'native', 'by-content');
  const property = fc.asyncProperty(
    randomFile,
    formats,
    limitArbitrary,
    async (file, format, limit) => {
      const path = join(
        directory,
        format === 'by-content' ? 'random' : `random${EXTENSION[format]}`,
      );
      writeFileSync(path, file);
      const outcome = await loadChecked(path, file.length, () =>
        format === 'native'
          ? loadNative(path, { limit, onWarning: warningsAbout(path) }).then((m) => m.vectors)
          : loadVectors(path, { limit, onWarning: warningsAbout(path) }),
      );
      if ('loaded' in outcome) assertConsistent(outcome.loaded, limit);
    },
  );
  await fc.assert(property, fuzzOptions(randomRuns));
});

// ---- files larger than the word2vec reader's 1 MiB buffer ----

/** The word2vec reader's read size: records straddling it, and lines longer than it, take other paths. */
const READ_CHUNK = 1 << 20;

/**
 * Models whose files pass the reader's first buffer boundary at a different
 * place in a record each, and one whose single record is longer than the buffer.
 */
function bigModels(): KeyedVectors[] {
  const random = seededRandom(fuzzSeed() ?? 11);
  const models: KeyedVectors[] = [];
  for (let m = 0; m < 4; m++) {
    const dim = 1 + Math.floor(random() * 40);
    const size = Math.ceil((1.15 * READ_CHUNK) / (dim * 4 + 8));
    const words = Array.from(
      { length: size },
      (_, i) => `${'é'.repeat(Math.floor(random() * 4))}w${i}${i % 7 === 0 ? '日本' : ''}`,
    );
    const vectors = Float32Array.from(
      { length: size * dim },
      () => (random() - 0.5) * 10 ** Math.floor(random() * 10 - 5),
    );
    models.push(new KeyedVectors(words, vectors, dim));
  }
  // 4 × 270,000 bytes: one binary record, and one text line, longer than the buffer.
  const longDim = 270_000;
  models.push(
    new KeyedVectors(
      ['long'],
      Float32Array.from({ length: longDim }, () => Math.floor(random() * 64 - 32) / 8),
      longDim,
    ),
  );
  return models;
}

/** Each case reads a file over 1 MiB: a long run gives this property 1/25 of the runs of the others. */
const boundaryRuns = fuzzRuns(60, 1 / 25);
test(`word2vec binary and text over 1 MiB: ${boundaryRuns} files damaged near the read buffer's ends`, async () => {
  const models = bigModels();
  const pools = {
    bin: await savedSamples(models, 'big.bin', (kv, path) =>
      saveWord2Vec(kv, path, { format: 'bin' }),
    ),
    txt: await savedSamples(models, 'big.txt', (kv, path) =>
      saveWord2Vec(kv, path, { format: 'txt' }),
    ),
  };
  const nearBoundary = fc.oneof(
    fc.integer({ min: READ_CHUNK - 400, max: READ_CHUNK + 400 }),
    fc.integer({ min: 2 * READ_CHUNK - 400, max: 2 * READ_CHUNK + 400 }),
    fc.nat(),
  );
  const damage = fc.oneof(
    { arbitrary: fc.constant<Mutation[]>([]), weight: 1 },
    {
      arbitrary: fc.array(byteMutationAt(nearBoundary), { minLength: 1, maxLength: 2 }),
      weight: 5,
    },
  );
  const property = fc.asyncProperty(
    fc.constantFrom<Exclude<FileFormat, 'native' | 'fasttext'>>('bin', 'txt'),
    fc.nat(),
    damage,
    fc.option(fc.nat(30_000), { nil: undefined, freq: 4 }),
    routeArbitrary,
    async (format, pick, mutations, limit, route) => {
      const { model, bytes } = pools[format][pick % models.length]!;
      await checkWord2vecFile(applyAll(bytes, mutations), mutations.length > 0, model, {
        name: 'big',
        extension: EXTENSION[format],
        format,
        limit,
        route,
      });
    },
  );
  await fc.assert(property, fuzzOptions(boundaryRuns));
});

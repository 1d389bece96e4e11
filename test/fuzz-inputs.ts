/**
 * Inputs for the loader fuzz tests: small valid models, and the ways a model
 * file can be damaged or forged (truncation, flipped bits, inserted or
 * deleted bytes, header numbers replaced, native headers and blocks rewritten
 * with their checksums fixed so the loader's other checks are reached).
 */
import fc from 'fast-check';
import * as zlib from 'node:zlib';
import { KeyedVectors } from '../src/vectors/keyed-vectors.js';

/**
 * Runs per property: `W2V_FUZZ_RUNS` (for long runs by hand) times `share`
 * (below 1 for properties whose cases are slow), else `defaultRuns` (sized
 * so that the fuzz tests take about 20 seconds).
 */
export function fuzzRuns(defaultRuns: number, share = 1): number {
  const text = process.env['W2V_FUZZ_RUNS'];
  if (text === undefined || text === '') return defaultRuns;
  const runs = Number(text);
  if (!Number.isSafeInteger(runs) || runs < 1)
    throw new Error(`W2V_FUZZ_RUNS must be a positive integer, got '${text}'`);
  return Math.max(1, Math.round(runs * share));
}

/** `W2V_FUZZ_SEED` replays a failing run (fast-check prints the seed). */
export function fuzzSeed(): number | undefined {
  const text = process.env['W2V_FUZZ_SEED'];
  return text === undefined || text === '' ? undefined : Number(text);
}

const SAMPLE_WORDS = [
  'the',
  'naïve',
  '日本語',
  '😀',
  'straße',
  'Ελληνικά',
  '</s>',
  'a-b',
  'x\u0000y',
  '3',
  '-1',
  'nan',
  'é',
];

/** Words a word2vec file can hold: non-empty, no ASCII whitespace; often multi-byte UTF-8. */
export const word2vecWord: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...SAMPLE_WORDS),
  fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 5 })
    .filter((w) => !/[ \t\n\r\v\f]/.test(w)),
);

/** Words the native format can hold: any well-formed string, even empty or with spaces. */
export const nativeWord: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...SAMPLE_WORDS, '', 'two words', 'line\nbreak'),
  fc.string({ unit: 'grapheme', maxLength: 5 }),
);

/** A small model of distinct words with any float32 values (NaN, ±Infinity and -0 included). */
export function modelArbitrary(word: fc.Arbitrary<string>): fc.Arbitrary<KeyedVectors> {
  return fc
    .record({ dim: fc.integer({ min: 1, max: 5 }), words: fc.uniqueArray(word, { maxLength: 7 }) })
    .chain(({ dim, words }) =>
      fc
        .array(fc.float(), { minLength: words.length * dim, maxLength: words.length * dim })
        .map((values) => new KeyedVectors(words, Float32Array.from(values), dim)),
    );
}

/** Damage to a file; positions are taken modulo the file's length. */
export type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'overwrite'; at: number; bytes: Uint8Array }
  | { kind: 'headerNumber'; field: number; token: string };

/** Numbers a forged header might declare. */
const HOSTILE_NUMBERS = [
  '0',
  '1',
  '2',
  '-1',
  '-7',
  '1000000000000',
  '999999999999999',
  String(2 ** 32),
  String(2 ** 53 - 1),
  String(2 ** 53),
  String(2 ** 53 + 2),
  '99999999999999999999999999',
  '1e12',
  '0x10',
  '3.5',
  '+3',
  'NaN',
  'Infinity',
  'abc',
  '',
  '٣',
  '00000000000004',
  `2${' '.repeat(250)}7`,
  `${'0'.repeat(250)}3`,
];

const interestingBytes = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 8 }),
  fc.constantFrom(
    ...[
      ' ',
      '\n',
      '\t',
      '\r\n',
      '\u0000',
      '\xff',
      '-',
      'nan',
      '1e999',
      ' 1 2\n',
      ' '.repeat(300),
      '0'.repeat(300),
    ].map((s) => Buffer.from(s, 'latin1')),
  ),
);

/** Byte-level damage at positions drawn from `position`. */
export function byteMutationAt(position: fc.Arbitrary<number>): fc.Arbitrary<Mutation> {
  return fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), at: position }),
    fc.record({
      kind: fc.constant('flip' as const),
      at: position,
      bit: fc.integer({ min: 0, max: 7 }),
    }),
    fc.record({ kind: fc.constant('insert' as const), at: position, bytes: interestingBytes }),
    fc.record({
      kind: fc.constant('delete' as const),
      at: position,
      length: fc.integer({ min: 1, max: 16 }),
    }),
    fc.record({ kind: fc.constant('overwrite' as const), at: position, bytes: interestingBytes }),
  );
}

/** Byte-level damage anywhere in a file. */
export const byteMutation: fc.Arbitrary<Mutation> = byteMutationAt(fc.nat());

/** Damage to a word2vec file: any byte damage, or a header number replaced with a hostile one. */
export const word2vecMutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: byteMutation, weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant('headerNumber' as const),
      field: fc.integer({ min: 0, max: 1 }),
      token: fc.oneof(
        fc.constantFrom(...HOSTILE_NUMBERS),
        fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String),
        fc.integer({ min: 0, max: 12 }).map(String),
      ),
    }),
    weight: 1,
  },
);

/** A copy (Buffer's `slice` would share the memory). */
function copyOf(bytes: Uint8Array): Uint8Array {
  return Uint8Array.prototype.slice.call(bytes);
}

/** Applies one mutation; returns a new array, leaving `bytes` as it was. */
export function mutate(bytes: Uint8Array, mutation: Mutation): Uint8Array {
  const at = mutation.kind === 'headerNumber' ? 0 : mutation.at % (bytes.length + 1);
  switch (mutation.kind) {
    case 'truncate':
      return bytes.subarray(0, at);
    case 'flip': {
      if (bytes.length === 0) return bytes;
      const copy = copyOf(bytes);
      copy[at % bytes.length]! ^= 1 << mutation.bit;
      return copy;
    }
    case 'insert':
      return Buffer.concat([bytes.subarray(0, at), mutation.bytes, bytes.subarray(at)]);
    case 'delete':
      return Buffer.concat([
        bytes.subarray(0, at),
        bytes.subarray(Math.min(bytes.length, at + mutation.length)),
      ]);
    case 'overwrite': {
      const copy = copyOf(bytes);
      copy.set(mutation.bytes.subarray(0, Math.max(0, bytes.length - at)), at);
      return copy;
    }
    case 'headerNumber': {
      const newline = bytes.indexOf(0x0a);
      if (newline < 0) return bytes;
      const fields = Buffer.from(bytes.subarray(0, newline)).toString('latin1').split(' ');
      if (mutation.field >= fields.length) return bytes;
      fields[mutation.field] = mutation.token;
      return Buffer.concat([Buffer.from(fields.join(' '), 'latin1'), bytes.subarray(newline)]);
    }
  }
}

// ---- native files: forged headers and blocks with valid checksums ----

const PREAMBLE_BYTES = 24;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A rewrite of a native file that keeps its checksums valid, so the checks behind them are reached. */
export type NativeForgery =
  | { kind: 'headerValue'; leaf: number; value: Json | 'delete' | { add: number } }
  | { kind: 'blockBytes'; block: number; at: number; bytes: Uint8Array };

const HOSTILE_JSON: Json[] = [
  -1,
  0,
  1,
  7,
  8,
  1.5,
  -0.5,
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  1e12,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  1e308,
  '',
  '1',
  'ns',
  'hs',
  'word2vec-ts native',
  null,
  true,
  false,
  [],
  {},
  [1, 2],
  { offset: 0, bytes: 0, crc32: 0 },
];

export const nativeForgery: fc.Arbitrary<NativeForgery> = fc.oneof(
  fc.record({
    kind: fc.constant('headerValue' as const),
    leaf: fc.nat(),
    value: fc.oneof(
      fc.constantFrom<Json | 'delete'>(...HOSTILE_JSON, 'delete'),
      fc.record({ add: fc.integer({ min: -16, max: 16 }) }),
    ),
  }),
  fc.record({
    kind: fc.constant('blockBytes' as const),
    block: fc.nat(),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }),
  }),
);

interface NativeParts {
  header: { [key: string]: Json };
  data: Uint8Array;
  headerBytes: number;
}

function splitNative(file: Uint8Array): NativeParts | undefined {
  if (file.length < PREAMBLE_BYTES) return undefined;
  const view = Buffer.from(file.buffer, file.byteOffset, file.length);
  const headerBytes = view.readUInt32LE(12);
  if (PREAMBLE_BYTES + headerBytes > file.length) return undefined;
  try {
    const header = JSON.parse(
      view.toString('utf8', PREAMBLE_BYTES, PREAMBLE_BYTES + headerBytes),
    ) as Json;
    if (typeof header !== 'object' || header === null || Array.isArray(header)) return undefined;
    return { header, data: copyOf(file.subarray(PREAMBLE_BYTES + headerBytes)), headerBytes };
  } catch {
    return undefined;
  }
}

/** Writes the header back with a valid checksum, padded to its old length when it fits (so blocks stay where they were). */
function joinNative(file: Uint8Array, parts: NativeParts): Uint8Array {
  let header = Buffer.from(JSON.stringify(parts.header), 'utf8');
  if (header.length <= parts.headerBytes)
    header = Buffer.concat([header, Buffer.alloc(parts.headerBytes - header.length, 0x20)]);
  const preamble = Buffer.from(copyOf(file.subarray(0, PREAMBLE_BYTES)));
  preamble.writeUInt32LE(header.length, 12);
  preamble.writeUInt32LE(zlib.crc32(header), 16);
  return Buffer.concat([preamble, header, parts.data]);
}

/** Paths to every number, string, boolean and null in a JSON value. */
function leaves(value: Json, path: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value !== 'object' || value === null) return [path];
  const keys: Array<string | number> = Array.isArray(value)
    ? value.map((_, i) => i)
    : Object.keys(value);
  const found: Array<Array<string | number>> = [path];
  for (const key of keys)
    found.push(...leaves((value as Record<string | number, Json>)[key]!, [...path, key]));
  return found;
}

/** Applies a forgery to a native file (unchanged if it is not one any more). */
export function forgeNative(file: Uint8Array, forgery: NativeForgery): Uint8Array {
  const parts = splitNative(file);
  if (!parts) return file;
  if (forgery.kind === 'headerValue') {
    const paths = leaves(parts.header).filter((p) => p.length > 0);
    const path = paths[forgery.leaf % paths.length]!;
    let parent = parts.header as Record<string | number, Json>;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
    const key = path[path.length - 1]!;
    const { value } = forgery;
    if (value === 'delete') delete parent[key];
    else if (
      typeof value === 'object' &&
      value !== null &&
      'add' in value &&
      typeof value.add === 'number' &&
      Object.keys(value).length === 1
    ) {
      const old = parent[key];
      parent[key] = typeof old === 'number' ? old + value.add : value.add;
    } else parent[key] = value;
    return joinNative(file, parts);
  }
  const blocks = parts.header['blocks'];
  if (typeof blocks !== 'object' || blocks === null || Array.isArray(blocks)) return file;
  const names = Object.keys(blocks);
  if (names.length === 0) return file;
  const entry = blocks[names[forgery.block % names.length]!];
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return file;
  const { offset, bytes } = entry as { offset: unknown; bytes: unknown };
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(bytes) || (bytes as number) <= 0)
    return file;
  const length = bytes as number;
  const dataOffset = (offset as number) - PREAMBLE_BYTES - parts.headerBytes;
  if (dataOffset < 0 || dataOffset + length > parts.data.length) return file;
  const at = dataOffset + (forgery.at % length);
  parts.data.set(forgery.bytes.subarray(0, dataOffset + length - at), at);
  entry['crc32'] = zlib.crc32(parts.data.subarray(dataOffset, dataOffset + length));
  return joinNative(file, parts);
}

/**
 * Random files: pure noise, or noise behind a plausible start (a word2vec
 * header line, the native magic) so that the loaders get past their first check.
 */
export const randomFile: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    fc.constantFrom(
      '',
      '3 2\n',
      '1 1\n',
      '2 4\n',
      '0 5\n',
      '\x89W2V\r\n\x1a\n',
      '\x89W2V\r\n\x1a\n\x01\x00\x00\x00',
    ),
    fc.uint8Array({ maxLength: 300 }),
  )
  .map(([start, noise]) => Buffer.concat([Buffer.from(start, 'latin1'), noise]));

/**
 * The native format's preamble (magic, version, header length and checksum)
 * and JSON header: what they hold, and reading them with every field checked
 * against the file before anything is allocated. The byte layout is described
 * in native-format.ts.
 */
import type { FileHandle } from 'node:fs/promises';
import { InputError, UsageError } from '../errors.js';
import { resolveOptions, type ResolvedTrainOptions, type TrainOptions } from '../options.js';
import { checkSubwordParams, type SubwordParams } from '../subwords/ngrams.js';
import type { FastTextHeader } from '../subwords/subword-vectors.js';
import { readAt } from './block-io.js';
import { crc32 } from './crc32.js';

/**
 * Which output weights a model has: one row per word ('ns': negative
 * sampling, also the full softmax) or one per inner node of the Huffman tree
 * ('hs': hierarchical softmax).
 */
export type OutputKind = 'ns' | 'hs';

/**
 * Where an interrupted training run stopped: everything besides the weights,
 * counts and options that it needs to go on exactly as if it had not
 * stopped. Kept in the header of a native file (a checkpoint).
 */
export interface TrainingState {
  /** Corpus words trained so far over all epochs; the learning rate follows from it. */
  wordsDone: number;
  /** Words the whole run trains: words per epoch × epochs. */
  totalWords: number;
  /** The epoch under way (0-based) and how many of its chunks are done. */
  epoch: number;
  chunksDone: number;
  /** Entries per chunk the corpus was cut into; chunk positions depend on it. */
  chunkTarget: number;
  /** Each training thread's kernel random state (xorshift64*), as 16 hex digits. */
  randomStates: string[];
  /** Training examples so far, and the loss summed over the epoch under way with its examples. */
  examples: number;
  epochLoss: number;
  epochExamples: number;
  /** The corpus it trains on, to tell a resumed run from training on other text. */
  corpus: CorpusIdentity;
}

/** A corpus as a checkpoint remembers it: its tokens and each file's name and size (none for sentences). */
export interface CorpusIdentity {
  tokens: number;
  files: Array<{ path: string; bytes: number }>;
  /** A hash of the corpus's word ids as counted (16 hexadecimal digits); older checkpoints lack it. */
  hash?: string;
}

/** The first 8 bytes of every native file. */
export const NATIVE_MAGIC: Uint8Array = Uint8Array.from([
  0x89, 0x57, 0x32, 0x56, 0x0d, 0x0a, 0x1a, 0x0a,
]);
/** The format version this code writes and reads. */
export const VERSION = 1;
/** Magic, version, header length, header checksum, reserved. */
export const PREAMBLE_BYTES = 24;
/** More than any real header (which is about a kilobyte); a larger declared length means a damaged file. */
const MAX_HEADER_BYTES = 1 << 24;
/** The header's `format` field. */
export const FORMAT_NAME = 'word2vec-ts native';

const BLOCK_NAMES = [
  'wordLengths',
  'words',
  'counts',
  'vectors',
  'ngrams',
  'outputWeights',
] as const;
export type BlockName = (typeof BLOCK_NAMES)[number];

/** Where a block is and its checksum, as the header lists it. */
export interface BlockEntry {
  offset: number;
  bytes: number;
  crc32: number;
  /** outputWeights only. */
  rows?: number;
}

/**
 * A subword model's n-gram options, which say how words map to the rows of
 * the `ngrams` block, and what a fastText `.bin` file it came from recorded.
 */
export interface SubwordRecord extends SubwordParams {
  fastText?: FastTextHeader;
}

/** fastText's settings a subword record may keep, all numbers. */
const FASTTEXT_FIELDS = [
  'epoch',
  'window',
  'minCount',
  'negative',
  'wordNgrams',
  'loss',
  'model',
  'lrUpdateRate',
  'sample',
  'tokens',
] as const satisfies ReadonlyArray<keyof FastTextHeader>;

/** The JSON header, as written and as read once checked. */
export interface Header {
  format: string;
  size: number;
  dim: number;
  outputKind: OutputKind | null;
  options: ResolvedTrainOptions | null;
  fileBytes: number;
  blocks: Partial<Record<BlockName, BlockEntry>>;
  /** A subword model's n-gram options: present exactly when the block `ngrams` is. */
  subwords?: SubwordRecord;
  training?: TrainingState;
}

/**
 * Whether `bytes` start with the native format's magic.
 * @example
 * isNativeMagic(firstBytes); // true for a .w2v file
 */
export function isNativeMagic(bytes: Uint8Array): boolean {
  return bytes.length >= NATIVE_MAGIC.length && NATIVE_MAGIC.every((b, i) => bytes[i] === b);
}

/** The preamble that comes before `header`, the header's bytes as written (padding included). */
export function encodePreamble(header: Uint8Array): Buffer {
  const preamble = Buffer.alloc(PREAMBLE_BYTES);
  preamble.set(NATIVE_MAGIC, 0);
  preamble.writeUInt32LE(VERSION, 8);
  preamble.writeUInt32LE(header.length, 12);
  preamble.writeUInt32LE(crc32(header), 16);
  return preamble;
}

/** Rows of output weights: one per word ('ns'), one per inner node of the Huffman tree ('hs'). */
export function expectedOutputRows(kind: OutputKind, size: number): number {
  return kind === 'ns' ? size : Math.max(size - 1, 1);
}

/**
 * Reads and checks the preamble and the header of the native file open as `handle`.
 * @throws InputError naming the file and the byte offset of what is wrong.
 */
export async function readHeader(
  handle: FileHandle,
  path: string,
  fileBytes: number,
): Promise<Header> {
  const fail = (offset: number, message: string): never => {
    throw new InputError(`${path}: byte offset ${offset}: ${message}`);
  };
  const preamble =
    fileBytes >= PREAMBLE_BYTES ? await readAt(handle, 0, PREAMBLE_BYTES) : undefined;
  if (!preamble || !isNativeMagic(preamble)) {
    const found =
      preamble ?? (await readAt(handle, 0, Math.min(fileBytes, 8))) ?? new Uint8Array(0);
    if (found.length >= 8 && isNativeMagic(found))
      fail(fileBytes, `the file ends inside its ${PREAMBLE_BYTES}-byte preamble`);
    throw new InputError(
      `${path}: not a ${FORMAT_NAME} model file: expected the bytes ${hex(NATIVE_MAGIC)} at byte offset 0, ` +
        `found ${found.length === 0 ? 'an empty file' : hex(found.subarray(0, 8))}`,
    );
  }
  const bytes = Buffer.from(preamble.buffer, preamble.byteOffset, preamble.length);
  const version = bytes.readUInt32LE(8);
  if (version !== VERSION) {
    fail(
      8,
      version > VERSION
        ? `format version ${version} is newer than this version of word2vec-ts reads (${VERSION}); upgrade to load it`
        : `unknown format version ${version}`,
    );
  }
  const headerBytes = bytes.readUInt32LE(12);
  if (
    headerBytes === 0 ||
    headerBytes > MAX_HEADER_BYTES ||
    PREAMBLE_BYTES + headerBytes > fileBytes
  ) {
    fail(
      12,
      `the header length ${headerBytes} does not fit the file (${fileBytes} bytes); the file is truncated or damaged`,
    );
  }
  const headerData = (await readAt(handle, PREAMBLE_BYTES, headerBytes))!;
  if (crc32(headerData) !== bytes.readUInt32LE(16)) {
    fail(
      PREAMBLE_BYTES,
      `the header (${headerBytes} bytes) is damaged: its checksum does not match`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerData));
  } catch (error) {
    fail(PREAMBLE_BYTES, `the header is not valid JSON: ${(error as Error).message}`);
  }
  return checkHeader(parsed, fileBytes, PREAMBLE_BYTES + headerBytes, (message) =>
    fail(PREAMBLE_BYTES, `header: ${message}`),
  );
}

/** Checks every field and that the blocks fit the file, before anything is allocated. */
function checkHeader(
  value: unknown,
  fileBytes: number,
  dataStart: number,
  fail: (message: string) => never,
): Header {
  if (!isRecord(value)) return fail('expected a JSON object');
  if (value['format'] !== FORMAT_NAME) fail(`expected "format": "${FORMAT_NAME}"`);
  const size = value['size'];
  const dim = value['dim'];
  if (!isCount(size))
    return fail(`"size" must be a non-negative integer, found ${JSON.stringify(size)}`);
  if (!isCount(dim) || dim < 1)
    return fail(`"dim" must be a positive integer, found ${JSON.stringify(dim)}`);
  if (value['fileBytes'] !== fileBytes) {
    fail(
      `the file should be ${JSON.stringify(value['fileBytes'])} bytes long but is ${fileBytes}; it is truncated or damaged`,
    );
  }
  const outputKind = value['outputKind'];
  if (outputKind !== null && outputKind !== 'ns' && outputKind !== 'hs') {
    fail(`"outputKind" must be "ns", "hs" or null, found ${JSON.stringify(outputKind)}`);
  }
  let options: ResolvedTrainOptions | null = null;
  if (value['options'] !== null) {
    if (!isRecord(value['options'])) fail('"options" must be an object or null');
    try {
      options = resolveOptions(value['options'] as unknown as TrainOptions);
    } catch (error) {
      if (error instanceof UsageError) fail(`"options": ${error.message}`);
      throw error;
    }
  }
  const subwords =
    value['subwords'] === undefined
      ? undefined
      : checkSubwordRecord(value['subwords'], (message) => fail(`"subwords": ${message}`));
  if (subwords && options) {
    if (!options.subwords || options.maxn === 0)
      fail('"subwords" is given but "options" train no subword model');
    for (const name of ['minn', 'maxn', 'bucket'] as const) {
      if (subwords[name] !== options[name])
        fail(`"subwords" has ${name} ${subwords[name]} but "options" has ${options[name]}`);
    }
  }
  const blocks = value['blocks'];
  if (!isRecord(blocks)) return fail('"blocks" must be an object');
  const expected: Record<BlockName, number | undefined> = {
    wordLengths: size * 4,
    words: undefined, // checked against the word lengths once they are read
    counts: size * 8,
    vectors: size * dim * 4,
    ngrams: subwords && subwords.bucket * dim * 4,
    outputWeights:
      outputKind === null
        ? undefined
        : expectedOutputRows(outputKind as OutputKind, size) * dim * 4,
  };
  const checked: Partial<Record<BlockName, BlockEntry>> = {};
  const extents: Array<[number, number, string]> = [];
  for (const name of Object.keys(blocks)) {
    if (!(BLOCK_NAMES as readonly string[]).includes(name)) fail(`unknown block "${name}"`);
  }
  for (const name of BLOCK_NAMES) {
    const entry = blocks[name];
    if (entry === undefined) {
      if (name === 'wordLengths' || name === 'words' || name === 'vectors')
        fail(`the block "${name}" is missing`);
      if (name === 'outputWeights' && outputKind !== null)
        fail(`"outputKind" is "${String(outputKind)}" but the block "outputWeights" is missing`);
      if (name === 'ngrams' && subwords)
        fail('"subwords" is given but the block "ngrams" is missing');
      continue;
    }
    if (name === 'ngrams' && !subwords)
      fail('the block "ngrams" needs "subwords" (minn, maxn and bucket)');
    if (name === 'outputWeights' && outputKind === null)
      fail('the block "outputWeights" needs an "outputKind"');
    if (
      !isRecord(entry) ||
      !isCount(entry['offset']) ||
      !isCount(entry['bytes']) ||
      !isCount(entry['crc32'])
    ) {
      return fail(`block "${name}" must have integer "offset", "bytes" and "crc32"`);
    }
    const {
      offset,
      bytes,
      crc32: checksum,
    } = entry as { offset: number; bytes: number; crc32: number };
    const wanted = expected[name];
    if (wanted !== undefined && bytes !== wanted) {
      fail(
        name === 'ngrams'
          ? `block "ngrams" has ${bytes} bytes; ${subwords!.bucket} n-gram rows of ${dim} dimensions need ${wanted}`
          : `block "${name}" has ${bytes} bytes; ${size} words of ${dim} dimensions need ${wanted}`,
      );
    }
    if (offset % 8 !== 0 || offset < dataStart || offset + bytes > fileBytes) {
      fail(
        `block "${name}" (${bytes} bytes at byte offset ${offset}) lies outside the data (bytes ${dataStart} to ${fileBytes})`,
      );
    }
    checked[name] = { offset, bytes, crc32: checksum };
    if (name === 'outputWeights') checked[name].rows = bytes / (dim * 4);
    extents.push([offset, offset + bytes, name]);
  }
  extents.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < extents.length; i++) {
    if (extents[i]![0] < extents[i - 1]![1])
      fail(`blocks "${extents[i - 1]![2]}" and "${extents[i]![2]}" overlap`);
  }
  const header: Header = {
    format: FORMAT_NAME,
    size,
    dim,
    outputKind: outputKind as OutputKind | null,
    options,
    fileBytes,
    blocks: checked,
  };
  if (subwords) header.subwords = subwords;
  if (value['training'] !== undefined) {
    if (options === null || outputKind === null || checked.counts === undefined) {
      fail(
        '"training" needs "options", "outputKind" and the block "counts": a checkpoint holds the whole model',
      );
    }
    header.training = checkTrainingState(value['training'], (message) =>
      fail(`"training": ${message}`),
    );
  }
  return header;
}

/** Checks a subword record: n-gram options as training allows them, fastText's settings numbers. */
function checkSubwordRecord(value: unknown, fail: (message: string) => never): SubwordRecord {
  if (!isRecord(value)) return fail('expected an object');
  const params: SubwordParams = { minn: 0, maxn: 0, bucket: 0 };
  for (const name of ['minn', 'maxn', 'bucket'] as const) {
    const field = value[name];
    if (!isCount(field))
      fail(`"${name}" must be a non-negative integer, found ${JSON.stringify(field)}`);
    params[name] = field as number;
  }
  try {
    checkSubwordParams(params);
  } catch (error) {
    if (error instanceof UsageError) fail(error.message);
    throw error;
  }
  const record: SubwordRecord = { ...params };
  const fastText = value['fastText'];
  if (fastText !== undefined) {
    if (!isRecord(fastText)) fail('"fastText" must be an object');
    const settings = fastText as Record<string, unknown>;
    for (const name of FASTTEXT_FIELDS) {
      const field = settings[name];
      if (typeof field !== 'number' || !Number.isFinite(field))
        fail(`"fastText"."${name}" must be a number, found ${JSON.stringify(field)}`);
    }
    record.fastText = Object.fromEntries(
      FASTTEXT_FIELDS.map((name) => [name, settings[name]]),
    ) as unknown as FastTextHeader;
  }
  return record;
}

/** Checks a checkpoint's progress record field by field. */
function checkTrainingState(value: unknown, fail: (message: string) => never): TrainingState {
  if (!isRecord(value)) return fail('expected an object');
  const count = (name: string): number => {
    const field = value[name];
    if (!isCount(field))
      fail(`"${name}" must be a non-negative integer, found ${JSON.stringify(field)}`);
    return field as number;
  };
  const finite = (name: string): number => {
    const field = value[name];
    if (typeof field !== 'number' || !Number.isFinite(field))
      fail(`"${name}" must be a number, found ${JSON.stringify(field)}`);
    return field as number;
  };
  const state: TrainingState = {
    wordsDone: count('wordsDone'),
    totalWords: count('totalWords'),
    epoch: count('epoch'),
    chunksDone: count('chunksDone'),
    chunkTarget: count('chunkTarget'),
    randomStates: [],
    examples: count('examples'),
    epochLoss: finite('epochLoss'),
    epochExamples: count('epochExamples'),
    corpus: { tokens: 0, files: [] },
  };
  if (state.wordsDone > state.totalWords)
    fail(`"wordsDone" (${state.wordsDone}) exceeds "totalWords" (${state.totalWords})`);
  if (state.chunkTarget < 1) fail('"chunkTarget" must be at least 1');
  const states = value['randomStates'];
  if (
    !Array.isArray(states) ||
    states.length === 0 ||
    !states.every((s) => typeof s === 'string' && /^[0-9a-f]{16}$/.test(s))
  ) {
    fail('"randomStates" must be a non-empty list of 16-digit hexadecimal strings');
  }
  state.randomStates = states as string[];
  const corpus = value['corpus'];
  if (!isRecord(corpus) || !isCount(corpus['tokens']) || !Array.isArray(corpus['files'])) {
    return fail('"corpus" must be an object with "tokens" and "files"');
  }
  const files = corpus['files'] as unknown[];
  if (!files.every((f) => isRecord(f) && typeof f['path'] === 'string' && isCount(f['bytes']))) {
    fail('"corpus"."files" must list objects with "path" and "bytes"');
  }
  state.corpus = {
    tokens: corpus['tokens'],
    files: (files as Array<{ path: string; bytes: number }>).map(({ path, bytes }) => ({
      path,
      bytes,
    })),
  };
  const hash = corpus['hash'];
  if (hash !== undefined) {
    if (typeof hash !== 'string' || !/^[0-9a-f]{16}$/.test(hash))
      fail('"corpus"."hash" must be 16 hexadecimal digits');
    state.corpus.hash = hash as string;
  }
  return state;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

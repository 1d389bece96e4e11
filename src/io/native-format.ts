/**
 * The native model format (`.w2v`): everything needed to query a model or
 * resume training it, exactly.
 *
 * Layout (all numbers little-endian):
 *
 * | bytes       | content                                                       |
 * |-------------|---------------------------------------------------------------|
 * | 0..8        | magic `89 57 32 56 0D 0A 1A 0A` ("\x89W2V\r\n\x1a\n")          |
 * | 8..12       | u32 format version (1)                                        |
 * | 12..16      | u32 header length H in bytes                                  |
 * | 16..20      | u32 CRC-32 of the header                                      |
 * | 20..24      | u32 reserved, 0                                               |
 * | 24..24+H    | header: UTF-8 JSON, padded with spaces                        |
 * | then        | blocks, each at an offset that is a multiple of 8              |
 *
 * The header holds `size` (words), `dim`, `outputKind` ('ns', 'hs' or null),
 * `options` (the training options, or null), `fileBytes`, and `blocks`: for
 * each block present, `{ offset, bytes, crc32 }`. A checkpoint's header also
 * holds `training` (see {@link TrainingState}): where an interrupted run
 * stopped; files without it are finished models. Blocks:
 *
 * - `wordLengths`: u32 per word, the byte length of its UTF-8 encoding;
 * - `words`: the words' UTF-8 bytes, concatenated, most frequent first;
 * - `counts` (optional): f64 per word, its corpus count;
 * - `vectors`: f32, `size × dim`, row-major: the input vectors;
 * - `outputWeights` (optional, with `rows`): f32, `rows × dim`: one row per
 *   word for negative sampling ('ns'), one per inner node of the Huffman
 *   tree (`size - 1`, at least 1) for hierarchical softmax ('hs').
 *
 * The magic detects text-mode transfers (the CR LF and the high byte); the
 * checksums detect any damage. Loading checks every declared size against
 * the file's size before allocating anything.
 */
import type { FileHandle } from 'node:fs/promises';
import * as zlib from 'node:zlib';
import { InputError, UsageError } from '../errors.js';
import {
  resolveOptions,
  type Loss,
  type ResolvedTrainOptions,
  type TrainOptions,
} from '../options.js';
import { KeyedVectors } from '../vectors/keyed-vectors.js';
import { writeFileAtomically } from './atomic-write.js';
import { fromLittleEndian, littleEndianBytes } from './byte-order.js';
import { checkLimit, readInputFile } from './input-file.js';
import { warningListener, warnOfNonFiniteRows, type WarningListener } from './load-warnings.js';

/**
 * Which output weights a model has: one row per word ('ns': negative
 * sampling, also the full softmax) or one per inner node of the Huffman tree
 * ('hs': hierarchical softmax).
 */
export type OutputKind = 'ns' | 'hs';

/** The output weights a loss trains: the full softmax keeps one row per word, as negative sampling does. */
export function outputKindOf(loss: Loss): OutputKind {
  return loss === 'hs' ? 'hs' : 'ns';
}

/** A model as the native format stores it. Everything but `vectors` is optional. */
export interface NativeModel {
  /** Words (most frequent first) and input vectors. */
  vectors: KeyedVectors;
  /** Corpus count per word, in the same order. */
  counts?: Float64Array;
  /** Output weights, row-major with `vectors.dim` columns; rows as `outputKind` says. */
  outputWeights?: Float32Array;
  /** Required with `outputWeights`. */
  outputKind?: OutputKind;
  /** The options the model was trained with. */
  options?: ResolvedTrainOptions;
  /** A checkpoint's progress: present only in files written while a run was under way. */
  training?: TrainingState;
}

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

/** A corpus as a checkpoint remembers it: its tokens and each file's name and size. */
export interface CorpusIdentity {
  tokens: number;
  files: Array<{ path: string; bytes: number }>;
}

export interface LoadNativeOptions {
  /**
   * Load only the first `limit` words, with their counts. Output weights are
   * then left out (they belong to the whole vocabulary), and the checksums
   * of the blocks read in part are not verified. Default all.
   */
  limit?: number;
  /** Told, in one line, of words with NaN or infinite values. Default: process.emitWarning. */
  onWarning?: WarningListener;
}

/** The first 8 bytes of every native file. */
export const NATIVE_MAGIC: Uint8Array = Uint8Array.from([
  0x89, 0x57, 0x32, 0x56, 0x0d, 0x0a, 0x1a, 0x0a,
]);
const VERSION = 1;
const PREAMBLE_BYTES = 24;
/** More than any real header (which is about a kilobyte); a larger declared length means a damaged file. */
const MAX_HEADER_BYTES = 1 << 24;
const FORMAT_NAME = 'word2vec-ts native';
/** Bytes per read or write call; large blocks go in several. */
const IO_CHUNK = 1 << 30;

const BLOCK_NAMES = ['wordLengths', 'words', 'counts', 'vectors', 'outputWeights'] as const;
type BlockName = (typeof BLOCK_NAMES)[number];

interface BlockEntry {
  offset: number;
  bytes: number;
  crc32: number;
  /** outputWeights only. */
  rows?: number;
}

interface Header {
  format: string;
  size: number;
  dim: number;
  outputKind: OutputKind | null;
  options: ResolvedTrainOptions | null;
  fileBytes: number;
  blocks: Partial<Record<BlockName, BlockEntry>>;
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

/**
 * Writes a model in the native format, atomically (a temporary file renamed
 * over `path`).
 * @throws UsageError if the parts do not fit together (counts or output weights of the wrong size, an output kind missing).
 * @throws W2vError if the file cannot be written.
 * @example
 * await saveNative('model.w2v', { vectors: kv, counts, outputWeights, outputKind: 'ns', options });
 */
export async function saveNative(path: string, model: NativeModel): Promise<void> {
  const { vectors: kv } = model;
  const { size, dim } = kv;
  if (model.counts && model.counts.length !== size) {
    throw new UsageError(`counts has ${model.counts.length} values for ${size} words`);
  }
  let outputRows: number | undefined;
  if (model.outputWeights) {
    if (!model.outputKind)
      throw new UsageError("outputKind ('ns' or 'hs') is required with outputWeights");
    outputRows = model.outputWeights.length / dim;
    const expected = expectedOutputRows(model.outputKind, size);
    if (outputRows !== expected) {
      throw new UsageError(
        `outputWeights has ${model.outputWeights.length} values; '${model.outputKind}' output weights for ${size} words ` +
          `of ${dim} dimensions are ${expected} × ${dim} = ${expected * dim}`,
      );
    }
  } else if (model.outputKind) {
    throw new UsageError('outputKind is given but outputWeights is not');
  }
  if (model.training && (!model.counts || !model.outputWeights || !model.options)) {
    throw new UsageError(
      'training progress is saved only with the whole model: counts, outputWeights and options',
    );
  }

  const encoded = kv.words.map((word) => Buffer.from(word, 'utf8'));
  const wordLengths = Uint32Array.from(encoded, (b) => b.length);
  const words = Buffer.concat(encoded);
  const payloads: Array<[BlockName, Uint8Array]> = [
    ['wordLengths', littleEndianBytes(wordLengths)],
    ['words', words],
  ];
  if (model.counts) payloads.push(['counts', littleEndianBytes(model.counts)]);
  payloads.push(['vectors', littleEndianBytes(kv.vectors)]);
  if (model.outputWeights) payloads.push(['outputWeights', littleEndianBytes(model.outputWeights)]);

  // Block offsets depend on the header's length, which depends on the offsets: settle it by iterating.
  let dataStart = align8(PREAMBLE_BYTES + 1024);
  let header: Buffer;
  let layout: Array<[BlockName, Uint8Array, number]>;
  for (;;) {
    layout = [];
    const blocks: Partial<Record<BlockName, BlockEntry>> = {};
    let offset = dataStart;
    for (const [name, bytes] of payloads) {
      blocks[name] = {
        offset,
        bytes: bytes.length,
        crc32: crc32(bytes),
        ...(name === 'outputWeights' ? { rows: outputRows } : {}),
      };
      layout.push([name, bytes, offset]);
      offset = align8(offset + bytes.length);
    }
    const record: Header = {
      format: FORMAT_NAME,
      size,
      dim,
      outputKind: model.outputKind ?? null,
      options: model.options ?? null,
      fileBytes:
        layout.length > 0
          ? layout[layout.length - 1]![2] + layout[layout.length - 1]![1].length
          : dataStart,
      blocks,
      // Only checkpoints carry it, so finished models are written exactly as before.
      ...(model.training ? { training: model.training } : {}),
    };
    header = Buffer.from(JSON.stringify(record), 'utf8');
    if (PREAMBLE_BYTES + header.length <= dataStart) break;
    dataStart = align8(PREAMBLE_BYTES + header.length + 64);
  }
  // Spaces fill the header up to the first block, so that it starts where the header says.
  header = Buffer.concat([header, Buffer.alloc(dataStart - PREAMBLE_BYTES - header.length, 0x20)]);

  const preamble = Buffer.alloc(PREAMBLE_BYTES);
  preamble.set(NATIVE_MAGIC, 0);
  preamble.writeUInt32LE(VERSION, 8);
  preamble.writeUInt32LE(header.length, 12);
  preamble.writeUInt32LE(crc32(header), 16);

  await writeFileAtomically(path, async (handle) => {
    await writeAll(handle, preamble);
    await writeAll(handle, header);
    let position = dataStart;
    for (const [, bytes, offset] of layout) {
      if (offset > position) await writeAll(handle, Buffer.alloc(offset - position));
      await writeAll(handle, bytes);
      position = offset + bytes.length;
    }
  });
}

/**
 * Reads a model written by {@link saveNative}. Words with NaN or infinite
 * values are told to `onWarning`.
 * @throws InputError naming the file and the byte offset if the file is not a native model, is truncated or damaged.
 * @example
 * const { vectors, counts, outputWeights, outputKind, options } = await loadNative('model.w2v');
 */
export async function loadNative(
  path: string,
  loadOptions: LoadNativeOptions = {},
): Promise<NativeModel> {
  const limit = loadOptions.limit;
  checkLimit(limit);
  return readInputFile(path, async (handle, fileBytes) => {
    const header = await readHeader(handle, path, fileBytes);
    const { size, dim, blocks } = header;
    const count = limit === undefined ? size : Math.min(size, limit);
    const partial = count < size;

    const lengthsEntry = blocks.wordLengths!;
    const lengthBytes = await readBlock(
      handle,
      path,
      'wordLengths',
      lengthsEntry,
      lengthsEntry.bytes,
      true,
    );
    const wordLengths = fromLittleEndian(lengthBytes, Uint32Array);
    let wordBytes = 0;
    for (let i = 0; i < count; i++) wordBytes += wordLengths[i]!;
    let total = wordBytes;
    for (let i = count; i < size; i++) total += wordLengths[i]!;
    const wordsEntry = blocks.words!;
    if (total !== wordsEntry.bytes) {
      throw new InputError(
        `${path}: the word lengths at byte offset ${lengthsEntry.offset} add up to ${total} bytes, ` +
          `but the words block at byte offset ${wordsEntry.offset} has ${wordsEntry.bytes}`,
      );
    }
    const wordData = await readBlock(handle, path, 'words', wordsEntry, wordBytes, !partial);
    const words = decodeWords(wordData, wordLengths, count, path, wordsEntry.offset);

    const vectorsEntry = blocks.vectors!;
    const vectors = fromLittleEndian(
      await readBlock(handle, path, 'vectors', vectorsEntry, count * dim * 4, !partial),
      Float32Array,
    );
    const countsEntry = blocks.counts;
    const counts = countsEntry
      ? fromLittleEndian(
          await readBlock(handle, path, 'counts', countsEntry, count * 8, !partial),
          Float64Array,
        )
      : undefined;
    const outputEntry = blocks.outputWeights;
    const outputWeights =
      outputEntry && !partial
        ? fromLittleEndian(
            await readBlock(handle, path, 'outputWeights', outputEntry, outputEntry.bytes, true),
            Float32Array,
          )
        : undefined;

    let kv: KeyedVectors;
    try {
      kv = new KeyedVectors(words, vectors, dim);
    } catch (error) {
      if (error instanceof UsageError)
        throw new InputError(
          `${path}: words block at byte offset ${wordsEntry.offset}: ${error.message}`,
        );
      throw error;
    }
    const model: NativeModel = { vectors: kv };
    if (counts) model.counts = counts;
    if (outputWeights) {
      model.outputWeights = outputWeights;
      model.outputKind = header.outputKind!;
    }
    if (header.options) model.options = header.options;
    // Progress belongs to the whole vocabulary, like the output weights.
    if (header.training && !partial) model.training = header.training;
    warnOfNonFiniteRows(path, kv, warningListener(loadOptions.onWarning));
    return model;
  });
}

function expectedOutputRows(kind: OutputKind, size: number): number {
  return kind === 'ns' ? size : Math.max(size - 1, 1);
}

function align8(offset: number): number {
  return Math.ceil(offset / 8) * 8;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (as zip and PNG), natively where Node has it (20.15 and later). */
function crc32(bytes: Uint8Array): number {
  const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
  if (native) return native(bytes);
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length;) {
    const { bytesWritten } = await handle.write(
      bytes,
      offset,
      Math.min(IO_CHUNK, bytes.length - offset),
    );
    offset += bytesWritten;
  }
}

/** Reads `length` bytes at `position` into a new buffer; false if the file ends first. */
async function readAt(
  handle: FileHandle,
  position: number,
  length: number,
): Promise<Uint8Array | undefined> {
  const bytes = new Uint8Array(new ArrayBuffer(length));
  for (let done = 0; done < length;) {
    const { bytesRead } = await handle.read(
      bytes,
      done,
      Math.min(IO_CHUNK, length - done),
      position + done,
    );
    if (bytesRead === 0) return undefined;
    done += bytesRead;
  }
  return bytes;
}

async function readHeader(handle: FileHandle, path: string, fileBytes: number): Promise<Header> {
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
  const blocks = value['blocks'];
  if (!isRecord(blocks)) return fail('"blocks" must be an object');
  const expected: Record<BlockName, number | undefined> = {
    wordLengths: size * 4,
    words: undefined, // checked against the word lengths once they are read
    counts: size * 8,
    vectors: size * dim * 4,
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
      continue;
    }
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
      fail(`block "${name}" has ${bytes} bytes; ${size} words of ${dim} dimensions need ${wanted}`);
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
  return state;
}

/** Reads the first `length` bytes of a block, checking its checksum if `verify` (and it is read whole). */
async function readBlock(
  handle: FileHandle,
  path: string,
  name: BlockName,
  entry: BlockEntry,
  length: number,
  verify: boolean,
): Promise<Uint8Array> {
  const bytes = await readAt(handle, entry.offset, length);
  if (!bytes)
    throw new InputError(
      `${path}: byte offset ${entry.offset}: the file ends inside the block "${name}"`,
    );
  if (verify && length === entry.bytes && crc32(bytes) !== entry.crc32) {
    throw new InputError(
      `${path}: byte offset ${entry.offset}: the block "${name}" (${entry.bytes} bytes) is damaged: its checksum does not match`,
    );
  }
  return bytes;
}

function decodeWords(
  data: Uint8Array,
  lengths: Uint32Array,
  count: number,
  path: string,
  offset: number,
): string[] {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const words = new Array<string>(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const end = at + lengths[i]!;
    try {
      words[i] = decoder.decode(data.subarray(at, end));
    } catch {
      throw new InputError(`${path}: byte offset ${offset + at}: word ${i + 1} is not valid UTF-8`);
    }
    at = end;
  }
  return words;
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

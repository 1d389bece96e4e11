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
 * each block present, `{ offset, bytes, crc32 }`. A subword (fastText-style)
 * model's header also holds `subwords`: `{ minn, maxn, bucket }`, and
 * `fastText` (that tool's settings) if it came from a fastText file; files
 * without it are word2vec models. A checkpoint's header also
 * holds `training` (see {@link TrainingState}): where an interrupted run
 * stopped; files without it are finished models. Blocks:
 *
 * - `wordLengths`: u32 per word, the byte length of its UTF-8 encoding;
 * - `words`: the words' UTF-8 bytes, concatenated, most frequent first;
 * - `counts` (optional): f64 per word, its corpus count;
 * - `vectors`: f32, `size × dim`, row-major: the input vectors (of a subword
 *   model, the words' own rows: a word's vector is the mean of its own row
 *   and its n-gram rows);
 * - `ngrams` (subword models, with `subwords`): f32, `bucket × dim`: the
 *   n-gram rows, row h the n-grams whose fastText hash modulo `bucket` is h;
 * - `outputWeights` (optional, with `rows`): f32, `rows × dim`: one row per
 *   word for negative sampling ('ns'), one per inner node of the Huffman
 *   tree (`size - 1`, at least 1) for hierarchical softmax ('hs').
 *
 * The magic detects text-mode transfers (the CR LF and the high byte); the
 * checksums detect any damage. Loading checks every declared size against
 * the file's size before allocating anything.
 */
import type { FileHandle } from 'node:fs/promises';
import { InputError, UsageError } from '../errors.js';
import type { Loss, ResolvedTrainOptions } from '../options.js';
import { RowChunks } from '../subwords/row-chunks.js';
import { SubwordKeyedVectors } from '../subwords/subword-keyed-vectors.js';
import { KeyedVectors } from '../vectors/keyed-vectors.js';
import { writeFileAtomically } from './atomic-write.js';
import { readAt, readInto, writeAll } from './block-io.js';
import { fromLittleEndian, littleEndianBytes } from './byte-order.js';
import { crc32 } from './crc32.js';
import { checkLimit, readInputFile, type LoadProgressListener } from './input-file.js';
import { warningListener, warnOfNonFiniteRows, type WarningListener } from './load-warnings.js';
import { subwordKeyedVectors, subwordRecord } from './native-subwords.js';
import {
  encodePreamble,
  expectedOutputRows,
  FORMAT_NAME,
  PREAMBLE_BYTES,
  readHeader,
  type BlockEntry,
  type BlockName,
  type Header,
  type OutputKind,
  type TrainingState,
} from './native-header.js';

export type { CorpusIdentity, OutputKind, TrainingState } from './native-header.js';

/** The output weights a loss trains: the full softmax keeps one row per word, as negative sampling does. */
export function outputKindOf(loss: Loss): OutputKind {
  return loss === 'hs' ? 'hs' : 'ns';
}

/** A model as the native format stores it. Everything but `vectors` is optional. */
export interface NativeModel {
  /**
   * Words (most frequent first) and input vectors; for a subword model a
   * `SubwordKeyedVectors`, whose own rows and n-gram rows are saved.
   */
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

export interface LoadNativeOptions {
  /**
   * Load only the first `limit` words, with their counts. Output weights are
   * then left out (they belong to the whole vocabulary), and the checksums
   * of the blocks read in part are not verified. Default all.
   */
  limit?: number;
  /** Told, in one line, of words with NaN or infinite values. Default: process.emitWarning. */
  onWarning?: WarningListener;
  /** Told how far the load has got, of the bytes of the blocks it reads. */
  onProgress?: LoadProgressListener;
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

  const subwords = kv instanceof SubwordKeyedVectors ? kv : undefined;
  const encoded = kv.words.map((word) => Buffer.from(word, 'utf8'));
  const wordLengths = Uint32Array.from(encoded, (b) => b.length);
  const words = Buffer.concat(encoded);
  // A block's bytes may come in several pieces: the n-gram rows are chunks of at most 1 GiB.
  const payloads: Array<[BlockName, Uint8Array[]]> = [
    ['wordLengths', [littleEndianBytes(wordLengths)]],
    ['words', [words]],
  ];
  if (model.counts) payloads.push(['counts', [littleEndianBytes(model.counts)]]);
  payloads.push(['vectors', [littleEndianBytes(subwords ? subwords.ownRows() : kv.vectors)]]);
  if (subwords) payloads.push(['ngrams', subwords.subwords.ngrams.chunks.map(littleEndianBytes)]);
  if (model.outputWeights)
    payloads.push(['outputWeights', [littleEndianBytes(model.outputWeights)]]);
  const sized = payloads.map(([name, parts]) => {
    let bytes = 0;
    let checksum = 0;
    for (const part of parts) {
      bytes += part.length;
      checksum = crc32(part, checksum);
    }
    return { name, parts, bytes, checksum };
  });

  // Block offsets depend on the header's length, which depends on the offsets: settle it by iterating.
  let dataStart = align8(PREAMBLE_BYTES + 1024);
  let header: Buffer;
  let layout: Array<[Uint8Array[], number]>;
  let end: number;
  for (;;) {
    layout = [];
    const blocks: Partial<Record<BlockName, BlockEntry>> = {};
    let offset = dataStart;
    end = dataStart;
    for (const { name, parts, bytes, checksum } of sized) {
      blocks[name] = {
        offset,
        bytes,
        crc32: checksum,
        ...(name === 'outputWeights' ? { rows: outputRows } : {}),
      };
      layout.push([parts, offset]);
      end = offset + bytes;
      offset = align8(end);
    }
    const record: Header = {
      format: FORMAT_NAME,
      size,
      dim,
      outputKind: model.outputKind ?? null,
      options: model.options ?? null,
      fileBytes: end,
      blocks,
      ...(subwords ? { subwords: subwordRecord(subwords.subwords) } : {}),
      // Only checkpoints carry it, so finished models are written exactly as before.
      ...(model.training ? { training: model.training } : {}),
    };
    header = Buffer.from(JSON.stringify(record), 'utf8');
    if (PREAMBLE_BYTES + header.length <= dataStart) break;
    dataStart = align8(PREAMBLE_BYTES + header.length + 64);
  }
  // Spaces fill the header up to the first block, so that it starts where the header says.
  header = Buffer.concat([header, Buffer.alloc(dataStart - PREAMBLE_BYTES - header.length, 0x20)]);

  const preamble = encodePreamble(header);

  await writeFileAtomically(path, async (handle) => {
    await writeAll(handle, preamble);
    await writeAll(handle, header);
    let position = dataStart;
    for (const [parts, offset] of layout) {
      if (offset > position) await writeAll(handle, Buffer.alloc(offset - position));
      position = offset;
      for (const part of parts) {
        await writeAll(handle, part);
        position += part.length;
      }
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
    const read = new BlockReader(handle, path, loadOptions.onProgress);
    const lengthBytes = await read.block('wordLengths', lengthsEntry, lengthsEntry.bytes, true);
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
    const vectorsEntry = blocks.vectors!;
    const countsEntry = blocks.counts;
    const outputEntry = blocks.outputWeights;
    const ngramsEntry = blocks.ngrams;
    read.expect(
      lengthsEntry.bytes +
        wordBytes +
        count * dim * 4 +
        (countsEntry ? count * 8 : 0) +
        (ngramsEntry?.bytes ?? 0) +
        (outputEntry && !partial ? outputEntry.bytes : 0),
    );
    const wordData = await read.block('words', wordsEntry, wordBytes, !partial);
    const words = decodeWords(wordData, wordLengths, count, path, wordsEntry.offset);

    const vectors = fromLittleEndian(
      await read.block('vectors', vectorsEntry, count * dim * 4, !partial),
      Float32Array,
    );
    const counts = countsEntry
      ? fromLittleEndian(await read.block('counts', countsEntry, count * 8, !partial), Float64Array)
      : undefined;
    // Read whole even for a limit: any word's vector may need any n-gram row.
    const ngrams =
      ngramsEntry &&
      (await read.rows('ngrams', ngramsEntry, new RowChunks(header.subwords!.bucket, dim)));
    const outputWeights =
      outputEntry && !partial
        ? fromLittleEndian(
            await read.block('outputWeights', outputEntry, outputEntry.bytes, true),
            Float32Array,
          )
        : undefined;

    let kv: KeyedVectors;
    try {
      kv = ngrams
        ? subwordKeyedVectors(words, vectors, ngrams, header.subwords!, counts)
        : new KeyedVectors(words, vectors, dim);
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

function align8(offset: number): number {
  return Math.ceil(offset / 8) * 8;
}

/** Reads blocks, telling `onProgress` of the bytes read of those {@link expect}ed. */
class BlockReader {
  private done = 0;
  private total = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly path: string,
    private readonly onProgress: LoadProgressListener | undefined,
  ) {}

  /** The bytes of all the blocks to read, including those read already. */
  expect(totalBytes: number): void {
    this.total = totalBytes;
  }

  /** Reads the first `length` bytes of a block, checking its checksum if `verify` (and it is read whole). */
  async block(
    name: BlockName,
    entry: BlockEntry,
    length: number,
    verify: boolean,
  ): Promise<Uint8Array> {
    const bytes = await readAt(this.handle, entry.offset, length, this.onRead());
    if (!bytes) this.truncated(name, entry);
    if (verify && length === entry.bytes && crc32(bytes) !== entry.crc32) this.damaged(name, entry);
    return bytes;
  }

  /** Reads a block of float32 rows into `rows`, a chunk at a time, checking its checksum. */
  async rows(name: BlockName, entry: BlockEntry, rows: RowChunks): Promise<RowChunks> {
    let position = entry.offset;
    let checksum = 0;
    for (const chunk of rows.chunks) {
      const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (!(await readInto(this.handle, position, bytes, this.onRead())))
        this.truncated(name, entry);
      checksum = crc32(bytes, checksum);
      fromLittleEndian(bytes, Float32Array);
      position += bytes.length;
    }
    if (checksum !== entry.crc32) this.damaged(name, entry);
    return rows;
  }

  /** What each read call tells: the progress over all the blocks expected. */
  private onRead(): ((bytes: number) => void) | undefined {
    const { onProgress } = this;
    return (
      onProgress &&
      ((read) => {
        this.done += read;
        onProgress(this.done, Math.max(this.total, this.done));
      })
    );
  }

  private truncated(name: BlockName, entry: BlockEntry): never {
    throw new InputError(
      `${this.path}: byte offset ${entry.offset}: the file ends inside the block "${name}"`,
    );
  }

  private damaged(name: BlockName, entry: BlockEntry): never {
    throw new InputError(
      `${this.path}: byte offset ${entry.offset}: the block "${name}" (${entry.bytes} bytes) is damaged: its checksum does not match`,
    );
  }
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

/**
 * Writing Facebook fastText `.bin` models that fastText's own command line
 * loads (`fasttext print-word-vectors`, `fasttext nn`); the layout is in
 * fasttext-bin-layout.ts.
 */
import type { FileHandle } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { RowChunks } from '../subwords/row-chunks.js';
import { SubwordKeyedVectors } from '../subwords/subword-keyed-vectors.js';
import type { FastTextHeader } from '../subwords/subword-vectors.js';
import type { KeyedVectors } from '../vectors/keyed-vectors.js';
import { writeFileAtomically } from './atomic-write.js';
import { littleEndianBytes } from './byte-order.js';
import { writeAll } from './block-io.js';
import {
  ARGS_BYTES,
  FASTTEXT_MAGIC,
  FASTTEXT_VERSION,
  LOSS_NS,
  MODEL_SKIPGRAM,
  writeArgs,
} from './fasttext-bin-layout.js';

export interface SaveFastTextOptions {
  /** The output weights, one row of `dim` per word (hierarchical softmax: per inner node, padded); zeros if absent. */
  output?: Float32Array;
}

/** Bytes of the words' own rows gathered before a write. */
const OWN_ROWS_BYTES = 1 << 24;

/** fastText's defaults, for what a model does not record. */
const DEFAULT_HEADER: FastTextHeader = {
  epoch: 5,
  window: 5,
  minCount: 5,
  negative: 5,
  wordNgrams: 1,
  loss: LOSS_NS,
  model: MODEL_SKIPGRAM,
  lrUpdateRate: 100,
  sample: 1e-4,
  tokens: 0,
};

/** Buffered sequential writes of fields and blocks. */
class BinaryWriter {
  private readonly buffer = new Uint8Array(1 << 20);
  private readonly view = new DataView(this.buffer.buffer);
  private used = 0;

  constructor(private readonly handle: FileHandle) {}

  private async room(bytes: number): Promise<void> {
    if (this.used + bytes > this.buffer.length) await this.flush();
  }

  async int32(value: number): Promise<void> {
    await this.room(4);
    this.view.setInt32(this.used, value, true);
    this.used += 4;
  }

  async int64(value: number): Promise<void> {
    await this.room(8);
    this.view.setBigInt64(this.used, BigInt(value), true);
    this.used += 8;
  }

  async byte(value: number): Promise<void> {
    await this.room(1);
    this.buffer[this.used++] = value;
  }

  async bytes(bytes: Uint8Array): Promise<void> {
    if (bytes.length > this.buffer.length / 2) {
      await this.flush();
      await writeAll(this.handle, bytes);
      return;
    }
    await this.room(bytes.length);
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  async flush(): Promise<void> {
    await writeAll(this.handle, this.buffer.subarray(0, this.used));
    this.used = 0;
  }
}

/**
 * Saves vectors as a fastText `.bin` model. A subword model keeps its
 * n-gram rows, counts and settings; other vectors are saved as a model
 * without n-grams (maxn 0), whose words' rows are their vectors.
 * @throws UsageError if a word is empty or holds white space or NUL, which fastText's files cannot hold.
 * @example
 * await saveFastTextBin(kv, 'model.bin'); // then: fasttext print-word-vectors model.bin
 */
export async function saveFastTextBin(
  kv: KeyedVectors,
  path: string,
  options: SaveFastTextOptions = {},
): Promise<void> {
  const { words, dim } = kv;
  const subwords = kv instanceof SubwordKeyedVectors ? kv.subwords : undefined;
  const params = subwords?.params ?? { minn: 0, maxn: 0, bucket: 0 };
  const ngrams = subwords?.ngrams ?? new RowChunks(0, dim);
  if (subwords?.wordRows && subwords.wordRows.length !== words.length * dim) {
    throw new UsageError(
      `the model has ${words.length} words but ${subwords.wordRows.length / dim} word rows`,
    );
  }
  const counts = subwords?.counts ?? words.map((_, i) => words.length - i);
  const header = { ...DEFAULT_HEADER, ...subwords?.header };
  let tokens = header.tokens;
  if (tokens === 0) for (let i = 0; i < words.length; i++) tokens += counts[i]!;
  const encoded = words.map((word, row) => {
    if (word.length === 0 || /[\s\0]/.test(word)) {
      throw new UsageError(
        `cannot save word ${row} (${JSON.stringify(word)}) in a fastText model: words must be non-empty, without white space or NUL`,
      );
    }
    return Buffer.from(word, 'utf8');
  });
  if (options.output && options.output.length < words.length * dim) {
    throw new UsageError(
      `the output weights hold ${options.output.length} values, expected ${words.length * dim}`,
    );
  }
  await writeFileAtomically(path, async (handle) => {
    const writer = new BinaryWriter(handle);
    const head = new Uint8Array(8 + ARGS_BYTES);
    const view = new DataView(head.buffer);
    view.setInt32(0, FASTTEXT_MAGIC, true);
    view.setInt32(4, FASTTEXT_VERSION, true);
    writeArgs(view, 8, {
      dim,
      ws: header.window,
      epoch: header.epoch,
      minCount: header.minCount,
      neg: header.negative,
      wordNgrams: header.wordNgrams,
      loss: header.loss,
      model: header.model,
      bucket: params.bucket,
      minn: params.minn,
      maxn: params.maxn,
      lrUpdateRate: header.lrUpdateRate,
      t: header.sample,
    });
    await writer.bytes(head);
    await writer.int32(words.length);
    await writer.int32(words.length);
    await writer.int32(0); // labels
    await writer.int64(tokens);
    await writer.int64(-1); // pruneidx_size: -1, not pruned
    for (let i = 0; i < words.length; i++) {
      await writer.bytes(encoded[i]!);
      await writer.byte(0);
      await writer.int64(counts[i]!);
      await writer.byte(0); // a word, not a label
    }
    await writer.byte(0); // not quantized
    await writer.int64(words.length + params.bucket);
    await writer.int64(dim);
    // The words' own rows a block at a time, so no copy of the whole matrix is made.
    const block = new Float32Array(Math.max(1, Math.floor(OWN_ROWS_BYTES / (4 * dim))) * dim);
    for (let first = 0; first < words.length; first += block.length / dim) {
      const count = Math.min(block.length / dim, words.length - first);
      for (let i = 0; i < count; i++) {
        const row = first + i;
        const out = block.subarray(i * dim, (i + 1) * dim);
        if (subwords) subwords.ownRowInto(row, words[row]!, kv.row(row), out);
        else out.set(kv.row(row));
      }
      await writer.bytes(littleEndianBytes(block.subarray(0, count * dim)));
    }
    for (const chunk of ngrams.chunks) await writer.bytes(littleEndianBytes(chunk));
    await writer.byte(0); // output not quantized
    await writer.int64(words.length);
    await writer.int64(dim);
    if (options.output) {
      await writer.bytes(littleEndianBytes(options.output.subarray(0, words.length * dim)));
    } else {
      const zeros = new Uint8Array(Math.min(words.length * dim * 4, 1 << 24));
      for (let left = words.length * dim * 4; left > 0; left -= zeros.length) {
        await writer.bytes(zeros.subarray(0, Math.min(left, zeros.length)));
      }
    }
    await writer.flush();
  });
}

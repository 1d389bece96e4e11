// The counting pass's word ids written to a temporary file, for a corpus
// that can be read only once (standard input, a generator, a pipe) and does
// not fit the cache budget: every epoch reads the file instead. The file is
// hidden beside the output, removed when training ends and, should the
// process exit first (a second Ctrl-C), on its way out.
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, systemErrorText } from '../errors.js';
import { ChunkBuilder, PRUNED_WORD, type Chunk } from './chunk-builder.js';

/** Entries read back at a time: 256 KiB, below glibc's mmap threshold as the reader's buffers. */
const READ_ENTRIES = 1 << 15;

/** Spill files not yet removed, for the exit handler. */
const live = new Set<string>();
let exitHandler: (() => void) | undefined;

function removeLiveFiles(): void {
  for (const path of live) {
    try {
      unlinkSync(path);
    } catch {
      // Already gone.
    }
  }
  live.clear();
}

/** A renumbering of the words (rare ones pruned) that applies to the entries written before it. */
interface Renumbering {
  before: number;
  newIds: Int32Array;
}

export class SpillFile {
  /** Entries (int32) written. */
  entries = 0;
  private readonly renumberings: Renumbering[] = [];
  private removed = false;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  /**
   * Creates a hidden temporary file in `directory`.
   * @throws InputError if it cannot be created there.
   */
  static async create(directory: string): Promise<SpillFile> {
    const path = join(
      directory,
      `.w2v-corpus.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
    );
    let handle: FileHandle;
    try {
      handle = await open(path, 'wx+', 0o600);
    } catch (error) {
      throw new InputError(
        `the corpus, which can be read only once, outgrew the cache budget and cannot be kept in ${directory}: ${systemErrorText(error)}; raise the cache budget or give a writable directory`,
      );
    }
    live.add(path);
    if (!exitHandler) {
      exitHandler = removeLiveFiles;
      process.on('exit', exitHandler);
    }
    return new SpillFile(path, handle);
  }

  /** Appends blocks of word ids. */
  async append(blocks: readonly Int32Array[]): Promise<void> {
    for (const block of blocks) {
      const bytes = new Uint8Array(block.buffer, block.byteOffset, block.byteLength);
      let done = 0;
      while (done < bytes.length) {
        let written;
        try {
          ({ bytesWritten: written } = await this.handle.write(
            bytes,
            done,
            bytes.length - done,
            this.entries * 4 + done,
          ));
        } catch (error) {
          throw new InputError(
            `cannot keep the corpus in the temporary file ${this.path}: ${systemErrorText(error)}`,
          );
        }
        done += written;
      }
      this.entries += block.length;
    }
  }

  /** The tokenizer renumbered its words: the entries written so far read through `newIds`. */
  renumber(newIds: Int32Array): void {
    this.renumberings.push({ before: this.entries, newIds });
  }

  /** Every entry, renumbered as the words are at the end of counting, a block at a time. */
  async *blocks(): AsyncGenerator<Int32Array> {
    const buffer = new Int32Array(READ_ENTRIES);
    const bytes = new Uint8Array(buffer.buffer);
    for (let start = 0; start < this.entries; start += READ_ENTRIES) {
      const n = Math.min(READ_ENTRIES, this.entries - start);
      let done = 0;
      while (done < n * 4) {
        const { bytesRead } = await this.handle.read(bytes, done, n * 4 - done, start * 4 + done);
        if (bytesRead === 0)
          throw new InputError(`the temporary corpus file ${this.path} was cut short`);
        done += bytesRead;
      }
      const block = buffer.subarray(0, n);
      for (const { before, newIds } of this.renumberings) {
        const until = Math.min(before - start, n);
        for (let i = 0; i < until; i++) {
          const id = block[i]!;
          if (id >= 0) block[i] = newIds[id]! >= 0 ? newIds[id]! : PRUNED_WORD;
        }
      }
      yield block;
    }
  }

  /**
   * One epoch's chunks: the entries in the vocabulary's ids (`remap`: raw id
   * to vocabulary index, or -1), cut as the in-memory corpus is.
   */
  async *chunks(
    remap: Int32Array,
    maxSentenceLength: number,
    target: number,
  ): AsyncGenerator<Chunk> {
    const builder = new ChunkBuilder(target, maxSentenceLength);
    const run = new Int32Array(READ_ENTRIES);
    for await (const block of this.blocks()) {
      for (let i = 0; i < block.length; i++) {
        const id = block[i]!;
        run[i] = id >= 0 ? (remap[id]! >= 0 ? remap[id]! : PRUNED_WORD) : id;
      }
      builder.add(run.subarray(0, block.length));
      yield* builder.ready.splice(0);
    }
    const last = builder.rest();
    if (last) yield last;
  }

  /** Closes and deletes the file; safe to call more than once. */
  async remove(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    await this.handle.close().catch(() => {});
    await unlink(this.path).catch(() => {});
    live.delete(this.path);
  }
}

// A counting pass's tallies made on a worker thread (counting-thread.ts),
// so that counting pairs (a hash table of millions of entries, about a cache
// miss a token) runs beside tokenizing instead of after it. The ids go to
// the thread in batches through shared memory: a ring of slots, each filled
// here and counted there. A batch may end with a checkpoint, where the
// thread keeps the candidates within their budget exactly as GramCounter's
// keepWithin would at that point, so the tallies are the same as counting
// on this thread.
import {
  MessageChannel,
  receiveMessageOnPort,
  Worker,
  type MessagePort,
} from 'node:worker_threads';
import {
  countsFromParts,
  type GramCounterOptions,
  type GramCounts,
  type GramCountsParts,
} from './gram-counter.js';

/** Slots in the ring and ids per slot: enough batches ahead to keep the thread busy. */
const SLOTS = 16;
const SLOT_IDS = 1 << 16;
/** A slot's states. */
const EMPTY = 0;
const FULL = 1;
/** A batch's flags. */
export const CHECKPOINT = 1;
export const END = 2;
/** Control words after the slots' states, lengths and flags: the candidates so far and the thread's status. */
const CANDIDATES = 3 * SLOTS;
const STATUS = CANDIDATES + 1;
const CONTROL_WORDS = STATUS + 1;
/** The thread's status: counting, done (its reply posted), failed (its error posted). */
const RUNNING = 0;
const DONE = 1;
const FAILED = 2;
/** How long one wait for the thread lasts before looking again whether it failed. */
const WAIT_MS = 1000;

const WORKER_URL = new URL('./counting-thread.js', import.meta.url);

/** The shared memory of one counter: control words, each slot's budget check, the ids. */
export interface CountingRing {
  control: Int32Array;
  otherBytes: Float64Array;
  ids: Int32Array;
}

/** What the counting thread is started with. */
export interface CountingThreadSetup {
  options: GramCounterOptions;
  buffer: SharedArrayBuffer;
  port: MessagePort;
}

/** What the counting thread posts once: its tallies, or why it failed. */
export type CountingThreadReply = { parts: GramCountsParts } | { error: string };

/** The views of a ring over its shared buffer. */
export function ringOf(buffer: SharedArrayBuffer): CountingRing {
  const controlBytes = CONTROL_WORDS * 4;
  const checkBytes = SLOTS * 8;
  return {
    control: new Int32Array(buffer, 0, CONTROL_WORDS),
    otherBytes: new Float64Array(buffer, Math.ceil(controlBytes / 8) * 8, SLOTS),
    ids: new Int32Array(buffer, Math.ceil(controlBytes / 8) * 8 + checkBytes, SLOTS * SLOT_IDS),
  };
}

function ringBytes(): number {
  return Math.ceil((CONTROL_WORDS * 4) / 8) * 8 + SLOTS * 8 + SLOTS * SLOT_IDS * 4;
}

/** The index of slot `s`'s state, length and flags in the control words. */
export const stateAt = (s: number): number => s;
export const lengthAt = (s: number): number => SLOTS + s;
export const flagsAt = (s: number): number => 2 * SLOTS + s;
export const RING = { SLOTS, SLOT_IDS, EMPTY, FULL, CANDIDATES, STATUS, DONE, FAILED };

/**
 * Counts as GramCounter does, on its own thread: `push` runs of ids,
 * `checkpoint` where the budget is checked, then `finish` for the tallies.
 * The runs are copied, so the caller may reuse them at once.
 */
export class ThreadedCounter {
  private readonly ring: CountingRing;
  private readonly port: MessagePort;
  private readonly worker: Worker;
  private slot = 0;
  /** Ids in the current slot, which is this side's while it is not FULL. */
  private filled = 0;
  private acquired = false;
  private finished = false;

  constructor(options: GramCounterOptions) {
    const buffer = new SharedArrayBuffer(ringBytes());
    this.ring = ringOf(buffer);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const setup: CountingThreadSetup = { options, buffer, port: port2 };
    this.worker = new Worker(WORKER_URL, { workerData: setup, transferList: [port2] });
    // The counter waits for the thread through shared memory, never through the event loop.
    this.worker.unref();
    this.worker.on('error', () => undefined);
  }

  /** Distinct candidates counted so far (as of the thread's last batch). */
  get candidates(): number {
    return Atomics.load(this.ring.control, CANDIDATES);
  }

  /** Queues a run of ids (SENTENCE_END between sentences) for counting. */
  push(ids: Int32Array): void {
    let from = 0;
    while (from < ids.length) {
      this.acquire();
      const n = Math.min(ids.length - from, SLOT_IDS - this.filled);
      this.ring.ids.set(ids.subarray(from, from + n), this.slot * SLOT_IDS + this.filled);
      this.filled += n;
      from += n;
      if (this.filled === SLOT_IDS) this.send(0, 0);
    }
  }

  /** Where the candidates must be kept within the budget, less `otherBytes` (as GramCounter.keepWithin). */
  checkpoint(otherBytes: number): void {
    this.acquire();
    this.send(CHECKPOINT, otherBytes);
  }

  /** The tallies, once the thread has counted everything pushed; the counter is done. */
  finish(): GramCounts {
    this.acquire();
    this.send(END, 0);
    this.finished = true;
    const { control } = this.ring;
    while (Atomics.load(control, STATUS) === RUNNING)
      Atomics.wait(control, STATUS, RUNNING, WAIT_MS);
    const reply = this.reply();
    if ('error' in reply) throw new Error(`phrase counting thread failed: ${reply.error}`);
    return countsFromParts(reply.parts);
  }

  /** Ends the thread, whether or not it finished (a pass that failed midway leaves it waiting). */
  close(): void {
    this.finished = true;
    void this.worker.terminate();
  }

  /** Makes the current slot this side's, waiting while the thread still counts it. */
  private acquire(): void {
    if (this.finished) throw new Error('the phrase counter has finished');
    if (this.acquired) return;
    const { control } = this.ring;
    while (Atomics.load(control, stateAt(this.slot)) !== EMPTY) {
      this.failIfFailed();
      Atomics.wait(control, stateAt(this.slot), FULL, WAIT_MS);
    }
    this.acquired = true;
    this.filled = 0;
  }

  private send(flags: number, otherBytes: number): void {
    const { control } = this.ring;
    control[lengthAt(this.slot)] = this.filled;
    control[flagsAt(this.slot)] = flags;
    this.ring.otherBytes[this.slot] = otherBytes;
    Atomics.store(control, stateAt(this.slot), FULL);
    Atomics.notify(control, stateAt(this.slot));
    this.slot = (this.slot + 1) % SLOTS;
    this.acquired = false;
  }

  private failIfFailed(): void {
    if (Atomics.load(this.ring.control, STATUS) !== FAILED) return;
    this.finished = true;
    const reply = this.reply();
    throw new Error(`phrase counting thread failed: ${'error' in reply ? reply.error : '?'}`);
  }

  /** What the thread posted before it set its status. */
  private reply(): CountingThreadReply {
    const received = receiveMessageOnPort(this.port);
    this.port.close();
    if (!received) return { error: 'it ended without a reply' };
    return received.message as CountingThreadReply;
  }
}

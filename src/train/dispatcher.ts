// The main thread's part of training: it hands chunks to the workers in
// corpus order, sets each chunk's learning rate, pauses the workers for
// checkpoints, and stops them on a signal, on divergence or on a corpus
// that fails to read.
import { Worker } from 'node:worker_threads';
import type { Chunk } from '../corpus/encoded.js';
import type { ResolvedTrainOptions } from '../options.js';
import type { RunPosition } from './checkpoint.js';
import { kernelModule } from './kernel.js';
import type { ModelMemory } from './model-memory.js';
import { learningRate, RunTally } from './run-tally.js';
import type { EpochEnd, TrainProgress } from './types.js';
import type { ChunkMessage, ChunkResult, WorkerSetup } from './worker.js';

/** Chunks queued per worker, so a worker never waits for the main thread. */
const CHUNKS_IN_FLIGHT = 2;

const WORKER_URL = new URL('./worker.js', import.meta.url);

export interface DispatchSetup {
  memory: ModelMemory;
  options: ResolvedTrainOptions;
  wordsPerEpoch: number;
  epochChunks: () => Iterable<Chunk> | AsyncIterable<Chunk>;
  report: (progress: TrainProgress) => void;
  /** Told at the end of each epoch, with its mean loss. */
  onEpoch?: (end: EpochEnd) => void;
  intervalMs: number;
  start: RunPosition;
  /** Copies the state while every thread waits, and returns the (slow) save, which runs while training goes on. */
  capture: ((at: RunPosition) => () => Promise<void>) | undefined;
  /** Milliseconds between checkpoints. */
  everyMs: number | undefined;
  signal: AbortSignal | undefined;
}

export interface RunResult {
  words: number;
  examples: number;
  seconds: number;
  finalLoss: number;
  /** Per thread, seconds spent on chunks. */
  busySeconds: number[];
  /** Set when the signal stopped the run before its end, or the corpus failed to read. */
  stoppedAt?: RunPosition;
  /** Corpus words trained when a chunk's loss was not finite: the run diverged. */
  divergedAt?: number;
  /** What the corpus threw while it was read again; training stopped there. */
  sourceError?: unknown;
}

/** A chunk and where it lies: its epoch and its index in that epoch. */
interface Placed {
  chunk: Chunk;
  epoch: number;
  index: number;
}

/**
 * Trains on the workers: every chunk from `start` on, each learning rate
 * set from the words handed out before it (so one thread is deterministic).
 */
export function dispatch(setup: DispatchSetup): Promise<RunResult> {
  return new Dispatcher(setup).run();
}

/**
 * Pausing: feeders park at the gate before taking a chunk; once every
 * feeder is parked or finished, no chunk is in flight and the state is whole.
 */
class PauseGate {
  private parked = 0;
  private finished = 0;
  private gate:
    | { idle: Promise<void>; reachIdle: () => void; open: Promise<void>; release: () => void }
    | undefined;

  constructor(private readonly feederCount: number) {}

  get closed(): boolean {
    return this.gate !== undefined;
  }

  /** Whether every feeder has finished: no chunk is left to train. */
  get allFinished(): boolean {
    return this.finished === this.feederCount;
  }

  /** Closes the gate; resolves once every feeder is parked or finished. */
  pause(): Promise<void> {
    if (!this.gate) {
      let reachIdle = (): void => {};
      let release = (): void => {};
      const idle = new Promise<void>((resolve) => (reachIdle = resolve));
      const open = new Promise<void>((resolve) => (release = resolve));
      this.gate = { idle, reachIdle, open, release };
      this.checkIdle();
    }
    return this.gate.idle;
  }

  /** Opens the gate to the parked feeders. */
  release(): void {
    const opened = this.gate;
    this.gate = undefined;
    opened?.release();
  }

  /** Parks a feeder at the closed gate: resolves when it opens; the feeder then calls leave(). */
  park(): Promise<void> {
    const { open } = this.gate!;
    this.parked++;
    this.checkIdle();
    return open;
  }

  leave(): void {
    this.parked--;
  }

  /** A feeder has no more chunks to take. */
  finish(): void {
    this.finished++;
    this.checkIdle();
  }

  private checkIdle(): void {
    if (this.gate && this.parked + this.finished === this.feederCount) this.gate.reachIdle();
  }
}

/**
 * Feeds the workers: CHUNKS_IN_FLIGHT feeders per worker each take the next
 * chunk, send it and wait for its result. For a checkpoint it stops handing
 * out chunks, waits until the threads have finished theirs, copies the
 * state, and goes on.
 */
class Dispatcher {
  private readonly workers: Worker[];
  /** Each worker answers its chunks in the order it got them. */
  private readonly pending: Array<Array<(result: ChunkResult) => void>>;
  private readonly source: AsyncGenerator<Placed>;
  private readonly tally: RunTally;
  private readonly gate: PauseGate;
  private readonly failed: Promise<never>;
  private failure: ((error: unknown) => void) | undefined;
  /** Corpus words of the chunks handed out: the next chunk's learning rate follows from it. */
  private dispatched: number;
  // Checkpoints: saves run one after another, each while training goes on.
  private saves: Promise<void> = Promise.resolve();
  private savesPending = 0;
  private saveError: unknown;
  private snapshot: Promise<void> | undefined;
  // Stopping.
  private stopRequested = false;
  private stoppedAt: RunPosition | undefined;
  private divergedAt: number | undefined;
  private sourceError: unknown;

  constructor(private readonly setup: DispatchSetup) {
    const { memory, options, wordsPerEpoch, start } = setup;
    const module = kernelModule(memory.memory64);
    this.workers = memory.threads.map((scratch, t) => {
      const workerSetup: WorkerSetup = {
        module,
        memory: memory.memory,
        config: memory.config,
        scratch,
        randomState: start.randomStates[t]!,
      };
      return new Worker(WORKER_URL, { workerData: workerSetup });
    });
    this.source = this.allChunks();
    this.dispatched = start.wordsDone;
    this.tally = new RunTally(start, options.epochs, wordsPerEpoch, options, setup.onEpoch);
    this.pending = this.workers.map(() => [] as Array<(result: ChunkResult) => void>);
    this.failed = new Promise<never>((_, reject) => (this.failure = reject));
    this.workers.forEach((worker, t) => {
      worker.on('message', (result: ChunkResult) => this.pending[t].shift()?.(result));
      worker.on('error', (error) => this.failure?.(error));
      worker.on('exit', (code) => {
        if (code !== 0)
          this.failure?.(new Error(`training thread ${t} stopped with exit code ${code}`));
      });
    });
    this.gate = new PauseGate(this.workers.length * CHUNKS_IN_FLIGHT);
  }

  async run(): Promise<RunResult> {
    const { report, intervalMs, capture, everyMs, signal } = this.setup;
    const { tally, workers } = this;
    const timer = setInterval(() => {
      tally.closeInterval();
      report(tally.progress());
    }, intervalMs);
    const checkpointTimer =
      everyMs !== undefined && capture
        ? setInterval(() => {
            if (this.savesPending === 0) void this.takeSnapshot();
          }, everyMs)
        : undefined;
    const onAbort = (): void => {
      this.stopRequested = true;
      void this.takeSnapshot();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();

    try {
      const feeders: Promise<void>[] = [];
      for (let slot = 0; slot < CHUNKS_IN_FLIGHT; slot++) {
        workers.forEach((_, t) => feeders.push(this.feed(t).finally(() => this.gate.finish())));
      }
      await Promise.race([Promise.all(feeders), this.failed]);
      if (this.snapshot) await this.snapshot; // a pause that began as the last chunks finished
      await Promise.race([this.saves, this.failed]);
    } finally {
      clearInterval(timer);
      clearInterval(checkpointTimer);
      signal?.removeEventListener('abort', onAbort);
      this.failure = undefined;
      await Promise.all(workers.map((worker) => worker.terminate()));
    }
    if (this.saveError) throw this.saveError;
    tally.close();
    report(tally.progress());
    if (this.sourceError !== undefined) this.stoppedAt = tally.position();
    return {
      words: tally.done,
      examples: tally.examples,
      seconds: tally.seconds(),
      finalLoss: tally.lastEpochLoss,
      busySeconds: tally.busySeconds,
      stoppedAt: this.stoppedAt,
      divergedAt: this.divergedAt,
      sourceError: this.sourceError,
    };
  }

  /** Every chunk of the run, from the start position on. */
  private async *allChunks(): AsyncGenerator<Placed> {
    const { options, epochChunks, start } = this.setup;
    for (let epoch = start.epoch; epoch < options.epochs; epoch++) {
      let index = 0;
      for await (const chunk of epochChunks()) {
        // A resumed run skips the chunks its epoch had done.
        if (epoch === start.epoch && index < start.chunksDone) {
          index++;
          continue;
        }
        yield { chunk, epoch, index: index++ };
      }
    }
  }

  private send(t: number, placed: Placed): Promise<ChunkResult> {
    const { chunk } = placed;
    const { options } = this.setup;
    const totalWords = this.tally.totalWords;
    const message: ChunkMessage = {
      ids: chunk.ids,
      alphaStart: learningRate(options, totalWords, this.dispatched),
      alphaEnd: learningRate(options, totalWords, this.dispatched + chunk.words),
    };
    this.dispatched += chunk.words;
    this.tally.handedOut(placed.epoch, placed.index);
    const result = new Promise<ChunkResult>((resolve) => this.pending[t].push(resolve));
    const shared = chunk.ids.buffer instanceof SharedArrayBuffer;
    this.workers[t].postMessage(message, shared ? [] : [chunk.ids.buffer as ArrayBuffer]);
    return result;
  }

  /** One feeder of worker t: takes chunks until the run ends or stops. */
  private async feed(t: number): Promise<void> {
    const { gate, tally } = this;
    for (;;) {
      while (gate.closed) {
        await gate.park();
        gate.leave();
      }
      if (this.stoppedAt || this.divergedAt !== undefined || this.sourceError !== undefined) return;
      let next;
      try {
        next = await this.source.next();
      } catch (error) {
        this.sourceError ??= error;
        return;
      }
      if (next.done) return;
      const result = await this.send(t, next.value);
      if (!Number.isFinite(result.loss)) this.divergedAt ??= tally.done;
      tally.record(t, next.value.chunk.words, result);
    }
  }

  /** Pauses every thread, captures a checkpoint and records a stop if one was asked for, and goes on. */
  private takeSnapshot(): Promise<void> {
    return (this.snapshot ??= (async () => {
      await this.gate.pause();
      const { capture } = this.setup;
      const unfinished = !this.gate.allFinished && this.tally.done < this.tally.totalWords;
      if (capture && unfinished && this.divergedAt === undefined) {
        const save = capture(this.tally.position());
        this.savesPending++;
        this.saves = this.saves
          .then(save)
          .catch((error: unknown) => {
            this.saveError ??= error;
            this.failure?.(error);
          })
          .finally(() => this.savesPending--);
      }
      if (this.stopRequested && unfinished) {
        this.stoppedAt = this.tally.position();
      }
      this.snapshot = undefined;
      this.gate.release();
    })());
  }
}

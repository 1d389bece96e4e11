import type { RunPosition } from './checkpoint.js';
import type { EpochEnd, TrainProgress } from './types.js';
import type { ChunkResult } from './worker.js';

/** The learning rate of a run after `words` corpus words: linear from `alpha` to `minAlpha` over `totalWords`. */
export function learningRate(
  schedule: { alpha: number; minAlpha: number },
  totalWords: number,
  words: number,
): number {
  return schedule.alpha - (schedule.alpha - schedule.minAlpha) * Math.min(1, words / totalWords);
}

/**
 * What a run has trained, as the workers' results come back: words,
 * examples, loss (since the last report and over the epoch under way),
 * each thread's random state and busy time, and the position of the chunks
 * handed out. It starts from a run's start position.
 */
export class RunTally {
  /** Corpus words of the chunks trained. */
  done: number;
  examples: number;
  /** Mean loss per example over the last reporting interval, and over the last whole epoch. */
  recentLoss = NaN;
  lastEpochLoss = NaN;
  /** Per thread, seconds spent on chunks. */
  readonly busySeconds: number[];
  private lossSinceReport = 0;
  private examplesSinceReport = 0;
  private epochLoss: number;
  private epochExamples: number;
  /** The epoch of the last chunk handed out, and the chunks of that epoch handed out. */
  private epoch: number;
  private chunksDone: number;
  private readonly randomStates: bigint[];
  private readonly startedAt = performance.now();

  constructor(
    private readonly start: RunPosition,
    private readonly epochs: number,
    private readonly wordsPerEpoch: number,
    private readonly schedule: { alpha: number; minAlpha: number },
    /** Told each time the words trained pass the end of an epoch. */
    private readonly onEpoch?: (end: EpochEnd) => void,
  ) {
    this.done = start.wordsDone;
    this.examples = start.examples;
    this.epochLoss = start.epochLoss;
    this.epochExamples = start.epochExamples;
    this.epoch = start.epoch;
    this.chunksDone = start.chunksDone;
    this.randomStates = [...start.randomStates];
    this.busySeconds = start.randomStates.map(() => 0);
  }

  get totalWords(): number {
    return this.wordsPerEpoch * this.epochs;
  }

  /** Seconds since the run began training. */
  seconds(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  /** A chunk was handed out: chunk `index` of `epoch`. */
  handedOut(epoch: number, index: number): void {
    this.epoch = epoch;
    this.chunksDone = index + 1;
  }

  /** Thread t trained a chunk of `words` corpus words. */
  record(t: number, words: number, result: ChunkResult): void {
    this.randomStates[t] = result.randomState;
    this.busySeconds[t] += result.busySeconds;
    const epochBefore = Math.floor(this.done / this.wordsPerEpoch);
    this.done += words;
    this.lossSinceReport += result.loss;
    this.examplesSinceReport += result.examples;
    this.epochLoss += result.loss;
    this.epochExamples += result.examples;
    this.examples += result.examples;
    if (Math.floor(this.done / this.wordsPerEpoch) > epochBefore) {
      this.lastEpochLoss = this.epochLoss / Math.max(this.epochExamples, 1);
      this.onEpoch?.({
        epoch: Math.floor(this.done / this.wordsPerEpoch),
        epochs: this.epochs,
        loss: this.lastEpochLoss,
        examples: this.epochExamples,
        words: this.done,
        elapsedSeconds: this.seconds(),
      });
      this.epochLoss = 0;
      this.epochExamples = 0;
    }
  }

  /** Ends a reporting interval: the loss since the last report becomes the recent loss. */
  closeInterval(): void {
    if (this.examplesSinceReport > 0)
      this.recentLoss = this.lossSinceReport / this.examplesSinceReport;
    this.lossSinceReport = 0;
    this.examplesSinceReport = 0;
  }

  /** Ends the run: the last interval's loss, and the loss of the epoch under way if it had examples. */
  close(): void {
    if (this.examplesSinceReport > 0)
      this.recentLoss = this.lossSinceReport / this.examplesSinceReport;
    if (this.epochExamples > 0) this.lastEpochLoss = this.epochLoss / this.epochExamples;
  }

  position(): RunPosition {
    return {
      wordsDone: this.done,
      epoch: this.epoch,
      chunksDone: this.chunksDone,
      examples: this.examples,
      epochLoss: this.epochLoss,
      epochExamples: this.epochExamples,
      randomStates: [...this.randomStates],
    };
  }

  progress(): TrainProgress {
    const { done, start, totalWords } = this;
    const elapsedSeconds = this.seconds();
    const wordsPerSecond = (done - start.wordsDone) / Math.max(elapsedSeconds, 1e-9);
    return {
      phase: 'train',
      epoch: Math.min(this.epochs, Math.floor(done / this.wordsPerEpoch) + 1),
      epochs: this.epochs,
      words: done,
      totalWords,
      fraction: Math.min(1, done / totalWords),
      alpha: learningRate(this.schedule, totalWords, done),
      loss: this.recentLoss,
      epochLoss: this.epochExamples > 0 ? this.epochLoss / this.epochExamples : this.lastEpochLoss,
      wordsPerSecond,
      elapsedSeconds,
      etaSeconds: done > start.wordsDone ? (totalWords - done) / wordsPerSecond : NaN,
    };
  }
}

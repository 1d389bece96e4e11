/**
 * Training progress as JSON Lines: one record per progress report, so a run
 * can be plotted afterwards (`w2v plot`) or watched while it trains
 * (`w2v serve --log`).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { InputError, systemErrorText } from '../errors.js';
import type { TrainProgress } from '../train/types.js';

/** One line of a progress log. `loss` is null before the first loss is known. */
export interface ProgressRecord {
  /** When the report was made, ISO 8601. */
  time: string;
  /** Seconds since the run started. */
  elapsedSeconds: number;
  phase: TrainProgress['phase'];
  epoch: number;
  epochs: number;
  /** Corpus words trained so far over all epochs (tokens read during 'vocab'). */
  words: number;
  totalWords: number;
  /** Learning rate. */
  alpha: number;
  /** Mean loss per example since the previous report; null when not known yet. */
  loss: number | null;
  /**
   * Mean loss per example over the epoch so far (at the end, over the last
   * epoch: the summary's final loss); null when not known yet, undefined in
   * logs written before records had it.
   */
  epochLoss?: number | null;
  wordsPerSecond: number;
}

/** The record written for one progress report. Non-finite numbers become null or 0, as JSON has no NaN. */
export function progressRecord(progress: TrainProgress, now: Date = new Date()): ProgressRecord {
  const finite = (value: number): number => (Number.isFinite(value) ? value : 0);
  return {
    time: now.toISOString(),
    elapsedSeconds: finite(progress.elapsedSeconds),
    phase: progress.phase,
    epoch: progress.epoch,
    epochs: progress.epochs,
    words: progress.words,
    totalWords: progress.totalWords,
    alpha: finite(progress.alpha),
    loss: Number.isFinite(progress.loss) ? progress.loss : null,
    epochLoss: Number.isFinite(progress.epochLoss) ? progress.epochLoss : null,
    wordsPerSecond: finite(progress.wordsPerSecond),
  };
}

/**
 * Writes progress records to a file as they come. The file is created or
 * emptied when opened, and each record is written through at once (a few per
 * second), so a reader sees every complete line even while training runs or
 * after it was interrupted. A log that cannot be opened or written (a full
 * disk) must not cost the run: `onFailure` is told once, in one line, and the
 * log stops there, keeping the records written before.
 */
export class ProgressLog {
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    private readonly onFailure: (message: string) => void,
  ) {}

  /**
   * Never throws: a file that cannot be created is told to `onFailure`.
   * @example
   * const log = ProgressLog.open('train.jsonl', (message) => console.warn(message));
   * await train({ input: 'corpus.txt', onProgress: log.write });
   * log.close();
   */
  static open(path: string, onFailure: (message: string) => void): ProgressLog {
    const log = new ProgressLog(path, onFailure);
    try {
      log.fd = openSync(path, 'w');
    } catch (err) {
      log.fail(err);
    }
    return log;
  }

  /** Appends one record. Arrow function so it can be passed as a callback. */
  readonly write = (progress: TrainProgress): void => {
    if (this.fd === undefined) return;
    const line = Buffer.from(`${JSON.stringify(progressRecord(progress))}\n`);
    try {
      // A short write happens only at the edge of a full disk; the rest then fails with the reason.
      for (let done = 0; done < line.length;) done += writeSync(this.fd, line, done);
    } catch (err) {
      this.fail(err);
    }
  };

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      closeSync(fd);
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // Already failed; its reason is the one worth telling.
      }
      this.fd = undefined;
    }
    this.onFailure(
      `cannot write the progress log '${this.path}': ${systemErrorText(err)}; training goes on without it`,
    );
  }
}

/**
 * Parses a progress log. Blank lines and a truncated last line (a run still
 * writing) are skipped; any other line that is not a record is an error.
 * @throws InputError naming the first bad line.
 */
export function parseProgressLog(text: string, source = 'progress log'): ProgressRecord[] {
  const lines = text.split('\n');
  const records: ProgressRecord[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const last = i === lines.length - 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (last) break; // being written right now
      throw new InputError(`${source}, line ${i + 1}: not JSON`);
    }
    const record = asRecord(value);
    if (!record) throw new InputError(`${source}, line ${i + 1}: not a progress record`);
    records.push(record);
  }
  return records;
}

function asRecord(value: unknown): ProgressRecord | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const number = (key: string, fallback?: number): number | undefined => {
    const x = v[key];
    if (typeof x === 'number' && Number.isFinite(x)) return x;
    return x === undefined ? fallback : undefined;
  };
  const phase = v.phase;
  if (phase !== 'vocab' && phase !== 'train') return undefined;
  const words = number('words');
  const totalWords = number('totalWords');
  const alpha = number('alpha');
  if (words === undefined || totalWords === undefined || alpha === undefined) return undefined;
  const loss = v.loss;
  if (loss !== null && loss !== undefined && (typeof loss !== 'number' || !Number.isFinite(loss)))
    return undefined;
  const epochLoss = v.epochLoss;
  if (
    epochLoss !== null &&
    epochLoss !== undefined &&
    (typeof epochLoss !== 'number' || !Number.isFinite(epochLoss))
  )
    return undefined;
  return {
    time: typeof v.time === 'string' ? v.time : '',
    elapsedSeconds: number('elapsedSeconds', 0) ?? 0,
    phase,
    epoch: number('epoch', 0) ?? 0,
    epochs: number('epochs', 0) ?? 0,
    words,
    totalWords,
    alpha,
    loss: typeof loss === 'number' ? loss : null,
    ...(epochLoss === undefined ? {} : { epochLoss }),
    wordsPerSecond: number('wordsPerSecond', 0) ?? 0,
  };
}

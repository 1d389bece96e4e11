import { performance } from 'node:perf_hooks';
import cliProgress from 'cli-progress';
import type { TrainProgress } from '../train/types.js';
import { formatLoss, LOSS_LABELS } from '../loss-figures.js';

/** 1234 → "1.23k", 645000 → "645k", 17005207 → "17.0M". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '--';
  const units = ['', 'k', 'M', 'G', 'T'];
  let value = Math.abs(n);
  let unit = 0;
  // Move up a unit when rounding to 3 digits would print "1000".
  while (value >= 999.5 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 ? String(Math.round(value)) : value.toPrecision(3);
  return `${n < 0 ? '-' : ''}${digits}${units[unit]}`;
}

/** Seconds → "4.2s", "42s", "3m05s", "2h07m"; "--" when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Learning rates span 0.05 down to ~1e-6: keep 3 significant digits. */
function formatRate(alpha: number): string {
  return Number.isFinite(alpha) ? String(Number(alpha.toPrecision(3))) : '--';
}

function formatEpochLoss(p: TrainProgress): string {
  return `${LOSS_LABELS.epoch} ${formatLoss(p.epochLoss, '--')}`;
}

function phaseLabel(p: TrainProgress): string {
  return p.phase === 'vocab' ? 'vocabulary' : `epoch ${p.epoch}/${p.epochs}`;
}

/** One self-contained status line, for logs and other non-terminal output. */
export function formatProgressLine(p: TrainProgress): string {
  if (p.phase === 'vocab') {
    return (
      `vocabulary: ${formatCount(p.words)} tokens read, ${formatCount(p.wordsPerSecond)} tokens/s, ` +
      `elapsed ${formatDuration(p.elapsedSeconds)}`
    );
  }
  return (
    `${phaseLabel(p)}: ${(p.fraction * 100).toFixed(1)}%, ${formatCount(p.wordsPerSecond)} words/s, ` +
    `lr ${formatRate(p.alpha)}, ${formatEpochLoss(p)}, ` +
    `elapsed ${formatDuration(p.elapsedSeconds)}, ETA ${formatDuration(p.etaSeconds)}`
  );
}

export interface ProgressReporterOptions {
  /** Where to report. Default process.stderr. */
  stream?: NodeJS.WriteStream;
  /** Draw a live bar instead of log lines. Default: whether the stream is a terminal. */
  tty?: boolean;
  /** Seconds between log lines when not drawing a bar. Default 5. */
  logIntervalSeconds?: number;
  /** Prefix of log lines, so they can be told apart in a shared log. Default 'w2v'. */
  label?: string;
}

interface BarPayload {
  progress: TrainProgress;
}

/**
 * Shows TrainProgress records: a redrawn bar on a terminal, otherwise a plain
 * line every few seconds (a bar's carriage returns would flood a log file).
 * Pass `reporter.update` as the onProgress callback; call `stop()` when done,
 * also on failure, so the terminal line is finished.
 */
export class ProgressReporter {
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private readonly logIntervalMs: number;
  private readonly label: string;
  private bar: cliProgress.SingleBar | undefined;
  private last: TrainProgress | undefined;
  private lastLogged: TrainProgress | undefined;
  private lastLogAt = -Infinity;
  private stopped = false;

  constructor(options: ProgressReporterOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.tty = options.tty ?? this.stream.isTTY === true;
    this.logIntervalMs = (options.logIntervalSeconds ?? 5) * 1000;
    this.label = options.label ?? 'w2v';
  }

  /** Arrow function so it can be handed over as a callback unbound. */
  readonly update = (progress: TrainProgress): void => {
    if (this.stopped) return;
    this.last = progress;
    if (this.tty) this.draw(progress);
    else this.log(progress, false);
  };

  /** Finishes the output: the bar's final state, or a last log line. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.bar) {
      if (this.last) this.bar.update(this.barValue(this.last), { progress: this.last });
      this.bar.stop();
    } else if (!this.tty && this.last && this.last !== this.lastLogged) {
      this.log(this.last, true);
    }
  }

  private barValue(p: TrainProgress): number {
    return p.phase === 'train' ? Math.min(Math.max(p.fraction, 0), 1) : 0;
  }

  private draw(p: TrainProgress): void {
    const payload: BarPayload = { progress: p };
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        {
          stream: this.stream,
          format: (options, params, data: BarPayload) =>
            formatBarLine(options, params, data.progress),
          barsize: 24,
          // A hidden cursor would stay hidden if the user interrupts training.
          hideCursor: false,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(1, this.barValue(p), payload);
    } else {
      this.bar.update(this.barValue(p), payload);
    }
  }

  private log(p: TrainProgress, force: boolean): void {
    const now = performance.now();
    const phaseChanged = this.lastLogged !== undefined && this.lastLogged.phase !== p.phase;
    if (!force && !phaseChanged && now - this.lastLogAt < this.logIntervalMs) return;
    this.lastLogAt = now;
    this.lastLogged = p;
    this.stream.write(`${this.label}: ${formatProgressLine(p)}\n`);
  }
}

function formatBarLine(
  options: cliProgress.Options,
  params: cliProgress.Params,
  p: TrainProgress,
): string {
  if (p.phase === 'vocab') {
    return (
      `vocabulary  ${formatCount(p.words)} tokens | ${formatCount(p.wordsPerSecond)} tokens/s | ` +
      `${formatDuration(p.elapsedSeconds)}`
    );
  }
  const bar = cliProgress.Format.BarFormat(params.progress, options);
  const percent = `${(p.fraction * 100).toFixed(1)}%`.padStart(6);
  return (
    `${phaseLabel(p)} ${bar} ${percent} | ${formatCount(p.wordsPerSecond).padStart(5)} words/s | ` +
    `ETA ${formatDuration(p.etaSeconds).padStart(6)} | lr ${formatRate(p.alpha).padEnd(8)} | ` +
    formatEpochLoss(p)
  );
}

/**
 * A progress bar on stderr for loading a model: bytes read of the total,
 * MB/s and the time left. Drawn only on a terminal, and only once a load has
 * run for a second, so that quick loads print nothing.
 */
import { performance } from 'node:perf_hooks';
import cliProgress from 'cli-progress';
import type { LoadProgressListener } from '../io/input-file.js';
import { formatDuration } from './progress.js';

/** How long a load runs before its bar appears. */
const SHOW_AFTER_MS = 1000;

export interface LoadProgressOptions {
  /** Where to draw. Default process.stderr. */
  stream?: NodeJS.WriteStream;
  /** Draw at all. Default: whether the stream is a terminal. */
  tty?: boolean;
}

interface BarPayload {
  bytesRead: number;
  totalBytes: number;
  seconds: number;
}

/** 1234567 → "1.2 MB", 3630000000 → "3.63 GB" (decimal units, as disks are sold). */
export function formatBytes(bytes: number): string {
  if (bytes < 1e6) return `${Math.round(bytes / 1e3)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toPrecision(3)} MB`;
  return `${(bytes / 1e9).toPrecision(3)} GB`;
}

/** The bar's line: `loading name [bar] 45% | 1.62 GB of 3.63 GB | 380 MB/s | ETA 5.3s`. */
function formatLoadLine(
  label: string,
  options: cliProgress.Options,
  params: cliProgress.Params,
  p: BarPayload,
): string {
  const bar = cliProgress.Format.BarFormat(params.progress, options);
  const rate = p.seconds > 0 ? p.bytesRead / p.seconds : 0;
  const eta = rate > 0 ? (p.totalBytes - p.bytesRead) / rate : NaN;
  const percent = `${(params.progress * 100).toFixed(0)}%`.padStart(4);
  return (
    `loading ${label} ${bar} ${percent} | ${formatBytes(p.bytesRead)} of ${formatBytes(p.totalBytes)} | ` +
    `${formatBytes(rate)}/s | ETA ${formatDuration(eta)}`
  );
}

/**
 * Shows a load's progress. Pass `update` as the loader's onProgress; call
 * `stop()` when the load ends, also on failure, so the terminal line is
 * finished.
 */
export class LoadProgressBar {
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private readonly started = performance.now();
  private bar: cliProgress.SingleBar | undefined;
  private last: BarPayload | undefined;

  /** @param label What is loaded (the file name). */
  constructor(
    private readonly label: string,
    options: LoadProgressOptions = {},
  ) {
    this.stream = options.stream ?? process.stderr;
    this.tty = options.tty ?? this.stream.isTTY === true;
  }

  /** Arrow function so it can be handed over as a callback unbound. */
  readonly update: LoadProgressListener = (bytesRead, totalBytes) => {
    if (!this.tty) return;
    const seconds = (performance.now() - this.started) / 1000;
    this.last = { bytesRead, totalBytes, seconds };
    if (!this.bar && seconds * 1000 < SHOW_AFTER_MS) return;
    const value = totalBytes > 0 ? Math.min(bytesRead / totalBytes, 1) : 1;
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        {
          stream: this.stream,
          format: (options, params, payload: BarPayload) =>
            formatLoadLine(this.label, options, params, payload),
          barsize: 24,
          // A hidden cursor would stay hidden if the user interrupts the load.
          hideCursor: false,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(1, value, this.last);
    } else {
      this.bar.update(value, this.last);
    }
  };

  /** Finishes the bar's line, if one was drawn. */
  stop(): void {
    if (!this.bar) return;
    if (this.last)
      this.bar.update(Math.min(this.last.bytesRead / this.last.totalBytes, 1), this.last);
    this.bar.stop();
    this.bar = undefined;
  }
}

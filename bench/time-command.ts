// Runs a command to its end and measures it from outside: wall time, and the
// peak resident memory that GNU time reads from the kernel when the process
// exits (its ru_maxrss), so peak memory is per process and per tool.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TimedCommand {
  seconds: number;
  /** Peak resident memory of the process, in MiB (NaN if GNU time reported none). */
  maxRssMb: number;
  stdout: string;
}

export interface TimeCommandOptions {
  /** Show the command's stderr (its progress) as it runs instead of keeping it for the error message. */
  showStderr?: boolean;
}

export function timeCommand(
  command: string,
  args: string[],
  options: TimeCommandOptions = {},
): TimedCommand {
  const dir = mkdtempSync(join(tmpdir(), 'w2v-time-'));
  const report = join(dir, 'time.txt');
  try {
    const started = performance.now();
    const result = spawnSync('/usr/bin/time', ['-o', report, '-f', 'MAXRSS %M', command, ...args], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      stdio: ['ignore', 'pipe', options.showStderr ? 'inherit' : 'pipe'],
    });
    const seconds = (performance.now() - started) / 1000;
    if (result.error) throw new Error(`${command} could not run: ${result.error.message}`);
    if (result.status !== 0)
      throw new Error(
        `${command} failed (exit ${result.status})${result.stderr ? `:\n${result.stderr}` : ''}`,
      );
    const rss = /MAXRSS (\d+)/.exec(readFileSync(report, 'utf8'));
    return { seconds, maxRssMb: rss ? Number(rss[1]) / 1024 : NaN, stdout: result.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A tool's result: the last line of its output that is a JSON object. */
export function lastJsonLine<T>(stdout: string): T {
  const line = stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  if (!line) throw new Error(`no result in output:\n${stdout}`);
  return JSON.parse(line) as T;
}

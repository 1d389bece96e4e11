import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatBytes, LoadProgressBar } from '../src/cli/load-progress.js';

/** A terminal that keeps what is written to it. */
function fakeTerminal(isTTY: boolean): { stream: NodeJS.WriteStream; written: () => string } {
  let text = '';
  const stream = {
    isTTY,
    columns: 200,
    write(chunk: string | Uint8Array): boolean {
      text += String(chunk);
      return true;
    },
    on: () => stream,
    removeListener: () => stream,
  };
  return { stream: stream as unknown as NodeJS.WriteStream, written: () => text };
}

test('a load bar appears only once a load has run a second, on a terminal', async () => {
  const terminal = fakeTerminal(true);
  const bar = new LoadProgressBar('model.bin', { stream: terminal.stream });
  bar.update(1e6, 400e6);
  assert.equal(terminal.written(), '', 'nothing for a load under a second');
  await sleep(1100);
  bar.update(200e6, 400e6);
  bar.update(400e6, 400e6);
  bar.stop();
  const lines = terminal.written();
  assert.match(lines, /loading model\.bin .* 100% \| 400 MB of 400 MB \| \d+(\.\d+)? MB\/s \| ETA/);

  const quick = fakeTerminal(true);
  const quickBar = new LoadProgressBar('small.bin', { stream: quick.stream });
  quickBar.update(10, 10);
  quickBar.stop();
  assert.equal(quick.written(), '', 'a quick load prints nothing');

  const log = fakeTerminal(false);
  const logBar = new LoadProgressBar('model.bin', { stream: log.stream });
  await sleep(1100);
  logBar.update(1, 2);
  logBar.stop();
  assert.equal(log.written(), '', 'nothing when not a terminal');
});

test('byte counts are shown in decimal units', () => {
  assert.equal(formatBytes(999), '1 kB');
  assert.equal(formatBytes(1234567), '1.23 MB');
  assert.equal(formatBytes(3.63e9), '3.63 GB');
});

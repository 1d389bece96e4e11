// Puts each tool's timed load on the same footing, whichever runs first: the
// model file in the page cache, and free memory the machine has handed out
// before. On a virtual machine the first touch of a page the guest has never
// used costs the hypervisor's work too, several times a recycled page's (see
// BENCHMARKS.md), so without this the first tool to run pays for fresh memory
// and the next one gets the pages it freed.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

/** Reads `file` through once, so that the load starts with it in the page cache (when memory allows). */
function readThrough(file: string): void {
  const buffer = Buffer.allocUnsafe(16 << 20);
  const fd = openSync(file, 'r');
  try {
    while (readSync(fd, buffer, 0, buffer.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

/** Free memory in bytes from /proc/meminfo (0 where there is none). */
function freeBytes(): number {
  try {
    const match = /^MemFree:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

const GIB = 2 ** 30;
const TOUCH_SCRIPT = `
const chunks = [];
for (let left = Number(process.argv[1]); left > 0; left -= ${GIB / 4}) {
  const chunk = new Uint8Array(Math.min(left, ${GIB / 4}));
  for (let i = 0; i < chunk.length; i += 4096) chunk[i] = 1;
  chunks.push(chunk);
}`;

/**
 * Touches up to `bytes` of free memory (leaving 1 GiB free) in a short-lived
 * process, which frees it on exit; the page cache is left alone.
 */
function touchFreeMemory(bytes: number): void {
  const touched = Math.min(bytes, freeBytes() - GIB);
  if (touched >= GIB)
    spawnSync(process.execPath, ['-e', TOUCH_SCRIPT, String(touched)], { stdio: 'inherit' });
}

/** Both of the above before a tool's load of `file` that may use up to `memory` bytes. */
export function prepareLoad(file: string, memory: number): void {
  touchFreeMemory(memory);
  readThrough(file);
}

// A shared WebAssembly memory past 4 GiB. WebAssembly.Memory makes at most
// 4 GiB, even for 64-bit memories, so this compiles a module of a dozen
// bytes that declares a shared 64-bit memory of the size wanted and exports
// it; the 64-bit build of the kernels (kernels64.wasm) imports it.

/** The most pages the 64-bit kernels import (16 GiB). */
export const MAX_PAGES_64 = 262144;

const MEMORY64_SHARED_WITH_MAXIMUM = 0x07; // limits flags: maximum | shared | 64-bit
const SECTION_MEMORY = 5;
const SECTION_EXPORT = 7;
const EXPORT_MEMORY = 0x02;

function leb128(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  do {
    const low = rest % 128;
    rest = Math.floor(rest / 128);
    bytes.push(rest > 0 ? low | 0x80 : low);
  } while (rest > 0);
  return bytes;
}

function section(id: number, content: number[]): number[] {
  return [id, ...leb128(content.length), ...content];
}

/** A module that defines a shared 64-bit memory of `pages` pages and exports it as "memory". */
function memoryModule(pages: number): Uint8Array<ArrayBuffer> {
  const size = leb128(pages);
  const name = [...new TextEncoder().encode('memory')];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(SECTION_MEMORY, [1, MEMORY64_SHARED_WITH_MAXIMUM, ...size, ...size]),
    ...section(SECTION_EXPORT, [1, name.length, ...name, EXPORT_MEMORY, 0]),
  ]);
}

/**
 * Whether this Node.js runs 64-bit WebAssembly memories: Node.js 22 and
 * later do; Node.js 20 does with `--experimental-wasm-memory64`.
 */
export function hasMemory64(): boolean {
  return WebAssembly.validate(memoryModule(1));
}

/** A shared 64-bit memory of `pages` pages (at most MAX_PAGES_64), zeroed. */
export function sharedMemory64(pages: number): WebAssembly.Memory {
  const module = new WebAssembly.Module(memoryModule(pages));
  const { memory } = new WebAssembly.Instance(module).exports;
  return memory as WebAssembly.Memory;
}

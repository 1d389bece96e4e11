import { readFileSync } from 'node:fs';

/**
 * The WebAssembly module built at `url`, or null if it is not built or this
 * runtime cannot compile it (no SIMD, say); callers then take their
 * TypeScript path.
 */
export function compileOptional(url: URL): WebAssembly.Module | null {
  try {
    return new WebAssembly.Module(new Uint8Array(readFileSync(url)));
  } catch {
    return null;
  }
}

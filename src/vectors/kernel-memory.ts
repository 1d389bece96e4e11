/**
 * The bytes of a kernel memory (see wasm-scorer.ts for its layout): the
 * copies of the rows, the buffers of each thread, the loaded queries, and
 * so how many rows one 4 GiB memory holds.
 */
import { FIRST_OFFSET, PARAM_BYTES, PREFIX_QUERY_BYTES } from '../../assembly/similarity-layout.js';
import { workerCount } from './scorer-pool.js';
import { QUERY_CHUNK, TILE } from './scorer.js';
import { PREFIX_BYTES, SCRATCH_BYTES, axesBytes, buildRoomBytes } from './similarity-filter.js';
import { MAX_WASM_BYTES, WASM_PAGE, multipleOf4 } from './similarity-kernel.js';

/** By default, the most memory (bytes) a batch's heaps take in the kernel at once; a larger batch goes in groups. */
export const HEAP_BYTES = 64 << 20;

/** Queries a shard's memory keeps room for beside its rows (a batch of more grows it, if it can). */
const ROOM_QUERIES = 1024;

/** Where a kernel memory's float32 rows start. */
export const ROWS_AT = FIRST_OFFSET;

/** Where a kernel memory's inverse norms start, after its `size` float32 rows (padded to groups of 4 rows). */
export function inverseNormsAt(size: number, dim: number): number {
  return FIRST_OFFSET + multipleOf4(size) * multipleOf4(dim) * 4;
}

/** Bytes for `count` queries (rounded up to pairs): float32 pairs, int16 pairs, prefix vectors, parameters. */
export function queryBytes(count: number, dim: number): number {
  const even = (count + 1) & ~1;
  return even * (multipleOf4(dim) * 4 + ((dim + 7) & ~7) * 2 + PREFIX_QUERY_BYTES + PARAM_BYTES);
}

/**
 * Bytes of the kernel's copies per row: the float32 row and its inverse
 * norm, and with the filter its int16 row, error term, rest norm and prefix.
 */
function rowBytes(dim: number, filter: boolean): number {
  return multipleOf4(dim) * 4 + 4 + (filter ? ((dim + 7) & ~7) * 2 + 8 + PREFIX_BYTES : 0);
}

/** Bytes of a kernel memory for `size` rows, with or without the filter, for the calling thread and `workers` more. */
export function kernelBytes(size: number, dim: number, filter: boolean, workers: number): number {
  return (
    FIRST_OFFSET +
    multipleOf4(size) * rowBytes(dim, filter) +
    (filter ? axesBytes(dim) + buildRoomBytes(dim) : 0) +
    TILE * 4 +
    (1 + workers) * SCRATCH_BYTES +
    queryBytes(Math.max(QUERY_CHUNK, dim), dim)
  );
}

/** The most rows one kernel memory holds with the filter, with room for a batch of ROOM_QUERIES queries and their heaps. */
export function maxShardRows(dim: number): number {
  const room = queryBytes(ROOM_QUERIES, dim) + HEAP_BYTES;
  const free = MAX_WASM_BYTES - WASM_PAGE - kernelBytes(0, dim, true, workerCount()) - room;
  return Math.max(4, Math.floor(free / rowBytes(dim, true)) & ~3);
}

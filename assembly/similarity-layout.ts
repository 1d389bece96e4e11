// The layout the host and the similarity kernel share, defined once: the
// AssemblyScript kernel (assembly/similarity.ts and the files it imports)
// and the TypeScript scorer that lays out its memory (src/vectors/) both
// import this file, so it holds only constants that read the same in both
// languages.

// Unit vectors are quantised as round(SCALE × value); SCALE² × 2 < 2³¹, so no int32 sum can overflow.
export const SCALE = 32767;

// The prefix copy: each row's (and query's) first PREFIX_DIMS rotated int16
// values, then [rest, error] (a query's: [rest, K]), PREFIX_VALUES in all.
export const PREFIX_DIMS = 32;
export const PREFIX_VALUES = PREFIX_DIMS + 2;
// Bytes of a query's prefix vector: each pair of its values (one int32) splatted to a v128.
export const PREFIX_QUERY_BYTES = PREFIX_VALUES * 8;

// Per-query parameters of prefilterBlock, refine and keepBest: PARAM_BYTES per query, one field at each offset.
export const PARAM_LIMIT = 0; // i32: a row passes the prefix test only if its prefix bound exceeds this
export const PARAM_END = 4; // i32: rows from here on are not candidates
export const PARAM_THRESHOLD = 8; // f32: the floor, scaled by SCALE²; -Infinity when any row will do
export const PARAM_ERROR = 12; // f32: the query's share of the error bound (scaled), see refine
export const PARAM_PREFIX_ERROR = 16; // f64: the query's share of the prefix test's bound (scaled), see keepBest
export const PARAM_HEAP = 24; // i32: where the query's heap lies, see keepBest
export const PARAM_EXCLUDED = 28; // i32: where the rows it must not return lie: their count, then the rows (i32)
export const PARAM_HEAD_REST = 32; // f32: the norm of the query's int16 values past the head (rounded up), see refine
export const PARAM_BYTES = 40;

// The int16 copy is split: each row's first HEAD_LANES lanes (64 rotated
// values) in the head copy, the rest in the tail copy, so that refine can
// rule a row out from its head alone, reading only that compact copy.
export const HEAD_LANES = 8;
// What refine's head test adds for the float32 roundings of its bound (in int16 units, like the error terms).
export const HEAD_SLACK = 4096;

// The kernel's only static data, the table of COMPACT_LANES_BYTES for
// appending rows to lists, lies at MEMORY_BASE (memoryBase in
// similarity.asconfig.json); the host's buffers start at FIRST_OFFSET, just
// above it (16-byte aligned).
export const MEMORY_BASE = 64;
export const COMPACT_LANES_BYTES = 256 * 32;
export const FIRST_OFFSET = MEMORY_BASE + COMPACT_LANES_BYTES;

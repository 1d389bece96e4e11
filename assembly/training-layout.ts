// The layout the host and the training kernels share, defined once: the
// AssemblyScript kernels (assembly/kernels.ts) and the TypeScript that lays
// out their memory (src/train/model-memory.ts) both import this file, so it
// holds only constants that read the same in both languages.

// The sigmoid and loss tables: SIGMOID_TABLE_SIZE cells over [-SIGMOID_MAX, SIGMOID_MAX].
export const SIGMOID_TABLE_SIZE = 4096;
export const SIGMOID_MAX = 8;

// The configuration block the host writes before init: one i32 field each, at
// these indices. Offsets are u32; only the output matrix may lie past 4 GiB.
export const CFG_SYN0 = 0;
export const CFG_SYN1NEG = 1;
export const CFG_SYN1 = 2;
export const CFG_STRIDE = 3; // floats per row, a multiple of 4
export const CFG_VOCAB = 4;
export const CFG_WINDOW = 5;
export const CFG_NEGATIVE = 6;
export const CFG_KEEP = 7; // u32 keep thresholds per word, 0 = no subsampling
export const CFG_ALIAS_PROB = 8;
export const CFG_ALIAS_INDEX = 9;
export const CFG_CODE_OFFSET = 10;
export const CFG_POINTS = 11;
export const CFG_CODES = 12;
export const CFG_SIGMOID = 13; // sigma(x) on the grid
export const CFG_LOSS_POS = 14; // -log sigma(x)
export const CFG_LOSS_NEG = 15; // -log(1 - sigma(x))
export const CFG_CBOW = 16;
export const CFG_HS = 17;
export const CFG_SHARED = 18; // skip-gram: one set of output units per window
export const CFG_SOFTMAX = 19; // the full softmax over syn1neg (exact, O(V) per example)
export const CFG_HOT_ROWS = 20; // output rows each thread keeps a private copy of
export const CFG_OUTPUT_HIGH = 21; // 64-bit build: the high 32 bits of syn1neg's and syn1's offsets
export const CFG_SUBWORDS = 22; // input vectors are the mean of a word's row and its character n-gram rows
export const CFG_SUBWORD_OFFSETS = 23; // i32 per word and one more: where its n-gram rows start in CFG_SUBWORD_ROWS
export const CFG_SUBWORD_ROWS = 24; // i32 input-row indices of every word's n-grams, word after word
export const CFG_FIELDS = 25;

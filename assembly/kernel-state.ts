// The kernels' per-thread state: module globals live in the instance, so
// each worker thread has its own copy of the configuration (where each
// table is), its scratch, its random state and its counters; init in
// kernels.ts sets them.

import { SIGMOID_MAX, SIGMOID_TABLE_SIZE } from './training-layout';

// The sigmoid and loss tables cover [-MAX_EXP, MAX_EXP]; beyond, they clamp.
export const SIG_SIZE: i32 = SIGMOID_TABLE_SIZE;
export const MAX_EXP: f32 = <f32>SIGMOID_MAX;
export const SIG_SCALE: f32 = <f32>SIG_SIZE / (2.0 * MAX_EXP);

// The kernels build for 32-bit and for 64-bit memories (kernels64.wasm, for
// models past 4 GiB): row pointers kept in the scratch are as wide as usize.
export const POINTER_SHIFT: usize = sizeof<usize>() == 8 ? 3 : 2;
// An output unit's slot: its row pointer, then its label (f32) at LABEL_AT.
export const LABEL_AT: usize = sizeof<usize>();
export const SLOT_SHIFT: usize = POINTER_SHIFT + 1;

export let syn0: usize = 0;
export let syn1neg: usize = 0;
export let syn1: usize = 0;
export let stride: i32 = 0;
export let rowBytes: usize = 0;
export let vocabSize: u64 = 0;
export let window: u64 = 0;
export let negative: i32 = 0;
export let keep: usize = 0;
export let aliasProb: usize = 0;
export let aliasIndex: usize = 0;
export let codeOffset: usize = 0;
export let points: usize = 0;
export let codes: usize = 0;
export let sigmoid: usize = 0;
export let lossPos: usize = 0;
export let lossNeg: usize = 0;
export let cbow: bool = false;
export let hs: bool = false;
export let shared: bool = false;
export let softmax: bool = false;
export let hotRows: i32 = 0;
// Subword models (fastText): each word's n-gram rows follow the words' rows in syn0.
export let subwords: bool = false;
export let subwordOffsets: usize = 0;
export let subwordRows: usize = 0;

// Per-thread scratch.
export let neu1: usize = 0;
export let neu1e: usize = 0;
export let sentence: usize = 0;
export let outputs: usize = 0; // (row pointer, label) per output unit of one example
export let contexts: usize = 0; // row pointers of one window's context words
export let errors: usize = 0; // one error vector per context word; subword CBOW: its window's ring (subword-training.ts)
export let grads: usize = 0; // g for each output unit (with shared outputs: for each context word and output unit)
export let rng: u64 = 0;

// The hottest output rows (most frequent words' for negative sampling, those
// nearest the Huffman root for hierarchical softmax) are written by every
// thread all the time; shared, they would bounce between the cores' caches.
// Each thread trains a private replica of them instead and merges what it
// changed into the shared rows after every chunk (about 8,000 words): the
// other threads see those rows' updates a chunk late, which costs no accuracy
// (measured) and lets two threads scale.
export let replica: usize = 0;
export let snapshot: usize = 0; // the replica as it was after the last merge

// Counters of the last trainChunk call.
export let examples: f64 = 0;
export let lossSum: f64 = 0;

// The context of the current centre word: positions windowFrom..windowTo.
export let windowFrom: i32 = 0;
export let windowTo: i32 = 0;

// Training kernels: skip-gram and CBOW, each with negative sampling or
// hierarchical softmax, over weights in one shared WebAssembly memory.
//
// Every worker thread instantiates this module over the same memory. Module
// globals live in the instance, so they are per thread: the configuration
// (where each table is), the scratch vectors and the random state. The
// weights are updated by all threads at once without locks (Hogwild).
//
// Nothing here allocates; all pointers are byte offsets laid out by the host.
// Names follow word2vec.c where they say the same thing: syn0 (input
// vectors), syn1neg (output vectors for negative sampling), syn1 (output
// vectors of the Huffman tree's inner nodes), neu1 (CBOW hidden layer),
// neu1e (error to apply to the input vectors).
//
// This file is the module's entry: its exports are the wasm exports. The
// per-thread state is in kernel-state.ts, the output layer in
// output-layer.ts, the random draws in random-draws.ts and the row
// arithmetic in vector-math.ts.

import {
  CFG_ALIAS_INDEX, CFG_ALIAS_PROB, CFG_CBOW, CFG_CODE_OFFSET, CFG_CODES, CFG_HOT_ROWS, CFG_HS, CFG_KEEP, CFG_LOSS_NEG, CFG_LOSS_POS,
  CFG_NEGATIVE, CFG_OUTPUT_HIGH, CFG_POINTS, CFG_SHARED, CFG_SIGMOID, CFG_SOFTMAX, CFG_STRIDE, CFG_SUBWORD_OFFSETS, CFG_SUBWORD_ROWS, CFG_SUBWORDS, CFG_SYN0, CFG_SYN1, CFG_SYN1NEG, CFG_VOCAB, CFG_WINDOW,
} from './training-layout';
import {
  syn0, syn1neg, syn1, stride, rowBytes, vocabSize, window, negative, keep, aliasProb, aliasIndex, codeOffset, points, codes, sigmoid,
  lossPos, lossNeg, cbow, hs, shared, softmax, hotRows, neu1, neu1e, sentence, outputs, contexts, errors, grads, rng, replica, snapshot,
  examples, lossSum, windowFrom, windowTo, POINTER_SHIFT, SLOT_SHIFT, subwords, subwordOffsets, subwordRows,
} from './kernel-state';
import { subwordCbow, subwordCbowEnd, subwordCbowStart, subwordSkipGram } from './subword-training';
import { sharedOutputRow, chooseOutputs, logisticGradient, predict, listOutputs } from './output-layer';
import { nextRandom, below, noiseWord, keepWord } from './random-draws';
import { axpy, zero } from './vector-math';

@inline function cfg(base: usize, field: i32): i32 {
  return load<i32>(base + (<usize>field << 2));
}

/** A byte offset in the configuration: a u32 (past 4 GiB, the output matrix's high bits are apart, CFG_OUTPUT_HIGH). */
@inline function cfgOffset(base: usize, field: i32): usize {
  return <usize>load<u32>(base + (<usize>field << 2));
}

/**
 * Reads the shared configuration and sets this thread's scratch and random state (see seededRandomState in src/train/kernel.ts).
 * The offsets are u32 in both builds: the host lays the configuration and the scratch out below 4 GiB.
 */
export function init(configAt: u32, neu1At: u32, neu1eAt: u32, sentenceAt: u32, outputsAt: u32, windowAt: u32, hotAt: u32, state: u64): void {
  const config = <usize>configAt;
  syn0 = cfgOffset(config, CFG_SYN0);
  syn1neg = cfgOffset(config, CFG_SYN1NEG);
  syn1 = cfgOffset(config, CFG_SYN1);
  if (sizeof<usize>() == 8) {
    // The 64-bit build: the output matrix may start past 4 GiB.
    const high = <usize>load<u32>(config + (<usize>CFG_OUTPUT_HIGH << 2)) << 32;
    if (cfg(config, CFG_HS) != 0) syn1 |= high;
    else syn1neg |= high;
  }
  stride = cfg(config, CFG_STRIDE);
  rowBytes = <usize>stride << 2;
  vocabSize = <u64>cfg(config, CFG_VOCAB);
  window = <u64>cfg(config, CFG_WINDOW);
  negative = cfg(config, CFG_NEGATIVE);
  keep = cfgOffset(config, CFG_KEEP);
  aliasProb = cfgOffset(config, CFG_ALIAS_PROB);
  aliasIndex = cfgOffset(config, CFG_ALIAS_INDEX);
  codeOffset = cfgOffset(config, CFG_CODE_OFFSET);
  points = cfgOffset(config, CFG_POINTS);
  codes = cfgOffset(config, CFG_CODES);
  sigmoid = cfgOffset(config, CFG_SIGMOID);
  lossPos = cfgOffset(config, CFG_LOSS_POS);
  lossNeg = cfgOffset(config, CFG_LOSS_NEG);
  cbow = cfg(config, CFG_CBOW) != 0;
  hs = cfg(config, CFG_HS) != 0;
  shared = cfg(config, CFG_SHARED) != 0;
  softmax = cfg(config, CFG_SOFTMAX) != 0;
  hotRows = cfg(config, CFG_HOT_ROWS);
  subwords = cfg(config, CFG_SUBWORDS) != 0;
  subwordOffsets = cfgOffset(config, CFG_SUBWORD_OFFSETS);
  subwordRows = cfgOffset(config, CFG_SUBWORD_ROWS);
  neu1 = <usize>neu1At;
  neu1e = <usize>neu1eAt;
  sentence = <usize>sentenceAt;
  outputs = <usize>outputsAt;
  // The window scratch holds 2*window context pointers, 2 * (2*window + 1) rows (error vectors; for
  // subword CBOW, the ring of window positions) and gradient rows (src/train/model-memory.ts).
  contexts = <usize>windowAt;
  errors = contexts + (((<usize>window << (POINTER_SHIFT + 1)) + 15) & ~15);
  grads = errors + (<usize>window * 4 + 2) * rowBytes;
  replica = <usize>hotAt;
  snapshot = replica + <usize>hotRows * rowBytes;
  for (let r = 0; r < hotRows; r++) {
    memory.copy(replica + <usize>r * rowBytes, sharedOutputRow(r), rowBytes);
  }
  memory.copy(snapshot, replica, <usize>hotRows * rowBytes);
  rng = state;
}

/** Adds what this thread changed in its hot rows to the shared rows, and takes theirs. */
export function mergeHotRows(): void {
  for (let r = 0; r < hotRows; r++) {
    const mine = replica + <usize>r * rowBytes;
    const before = snapshot + <usize>r * rowBytes;
    const shared = sharedOutputRow(r);
    for (let i: usize = 0; i < rowBytes; i += 16) {
      const merged = f32x4.add(v128.load(shared + i), f32x4.sub(v128.load(mine + i), v128.load(before + i)));
      v128.store(shared + i, merged);
      v128.store(mine + i, merged);
      v128.store(before + i, merged);
    }
  }
}

export function rngState(): u64 {
  return rng;
}

export function setRngState(state: u64): void {
  rng = state;
}

/** Exposed for tests: fills `out` with n noise words. */
export function drawNoise(outAt: u32, n: i32): void {
  const out = <usize>outAt;
  for (let i = 0; i < n; i++) store<i32>(out + (<usize>i << 2), noiseWord());
}

/** Exposed for tests: one skip-gram update of input word `input` predicting `word`. */
export function trainPair(input: i32, word: i32, alpha: f32): f64 {
  lossSum = 0;
  skipGramPair(syn0 + <usize>input * rowBytes, word, listOutputs(word), alpha);
  mergeHotRows();
  return lossSum;
}

/** The word at position p of the sentence being trained. */
@inline function wordAt(p: i32): i32 {
  return load<i32>(sentence + (<usize>p << 2));
}

/** The input vector of the word at position p. */
@inline function inputRowAt(p: i32): usize {
  return syn0 + <usize>wordAt(p) * rowBytes;
}

/** Draws the window for the word at position i (its reach uniform in 1..window), clipped to the sentence. */
@inline function drawWindow(i: i32, length: i32): void {
  const reach = <i32>(window - below(nextRandom(), window));
  windowFrom = max(i - reach, 0);
  windowTo = min(i + reach, length - 1);
}

/** One skip-gram example: input vector l1 predicts `word`; l1 then takes the summed error. */
@inline function skipGramPair(l1: usize, word: i32, count: i32, alpha: f32): void {
  zero(neu1e);
  predict(l1, word, count, alpha);
  axpy(1, neu1e, l1);
}

function trainSentenceSkipGram(length: i32, alpha: f32): void {
  for (let i = 0; i < length; i++) {
    const word = wordAt(i);
    drawWindow(i, length);
    if (subwords) {
      subwordSkipGram(i, alpha);
      continue;
    }
    // Hierarchical softmax: the centre word's path serves every context word (negative sampling draws anew for each).
    const path = hs ? chooseOutputs(word) : 0;
    for (let c = windowFrom; c <= windowTo; c++) {
      if (c == i) continue;
      // As in word2vec.c and gensim: the context word's input vector predicts the centre word.
      skipGramPair(inputRowAt(c), word, hs ? path : listOutputs(word), alpha);
    }
    examples += windowTo - windowFrom; // the window's words but the centre
  }
}

/**
 * Skip-gram with one set of output units per window (pWord2Vec, Ji et al.
 * 2016): all context words of a centre word predict it against the same
 * noise words, so each update is a small matrix product over rows that stay
 * in cache. For hierarchical softmax the outputs are the same anyway (the
 * centre word's path); only the update order changes.
 */
function trainSentenceSkipGramShared(length: i32, alpha: f32): void {
  for (let i = 0; i < length; i++) {
    const word = wordAt(i);
    drawWindow(i, length);
    let m = 0;
    for (let c = windowFrom; c <= windowTo; c++) {
      if (c == i) continue;
      store<usize>(contexts + (<usize>m << POINTER_SHIFT), inputRowAt(c));
      m++;
    }
    if (m == 0) continue;
    const n = chooseOutputs(word);
    // g for every (context, output) pair, all at the current weights.
    for (let j = 0; j < m; j++) {
      const h = load<usize>(contexts + (<usize>j << POINTER_SHIFT));
      for (let k = 0; k < n; k++) {
        store<f32>(grads + (<usize>(j * n + k) << 2), logisticGradient(h, outputs + (<usize>k << SLOT_SHIFT), alpha));
      }
    }
    // Errors for the inputs from the outputs as they were, then the outputs, then the inputs.
    for (let j = 0; j < m; j++) {
      const e = errors + <usize>j * rowBytes;
      zero(e);
      for (let k = 0; k < n; k++) {
        axpy(load<f32>(grads + (<usize>(j * n + k) << 2)), load<usize>(outputs + (<usize>k << SLOT_SHIFT)), e);
      }
    }
    for (let k = 0; k < n; k++) {
      const out = load<usize>(outputs + (<usize>k << SLOT_SHIFT));
      for (let j = 0; j < m; j++) {
        axpy(load<f32>(grads + (<usize>(j * n + k) << 2)), load<usize>(contexts + (<usize>j << POINTER_SHIFT)), out);
      }
    }
    for (let j = 0; j < m; j++) {
      axpy(1, errors + <usize>j * rowBytes, load<usize>(contexts + (<usize>j << POINTER_SHIFT)));
    }
    examples += m;
  }
}

function trainSentenceCbow(length: i32, alpha: f32): void {
  if (subwords) subwordCbowStart();
  for (let i = 0; i < length; i++) {
    const word = wordAt(i);
    drawWindow(i, length);
    if (subwords) {
      subwordCbow(i, alpha);
      continue;
    }
    zero(neu1);
    let count = 0;
    for (let c = windowFrom; c <= windowTo; c++) {
      if (c == i) continue;
      axpy(1, inputRowAt(c), neu1);
      count++;
    }
    if (count == 0) continue;
    // The hidden layer is the mean of the context vectors (word2vec.c, gensim cbow_mean=1);
    // each context vector then receives the whole error.
    const inv = f32x4.splat(<f32>1 / <f32>count);
    for (let k: usize = 0; k < rowBytes; k += 16) v128.store(neu1 + k, f32x4.mul(v128.load(neu1 + k), inv));
    zero(neu1e);
    predict(neu1, word, listOutputs(word), alpha);
    for (let c = windowFrom; c <= windowTo; c++) {
      if (c == i) continue;
      axpy(1, neu1e, inputRowAt(c));
    }
    examples += 1;
  }
  if (subwords) subwordCbowEnd();
}

/** Exposed for tests: how many of n occurrences of `word` subsampling keeps. */
export function countKept(word: i32, n: i32): i32 {
  let kept = 0;
  for (let i = 0; i < n; i++) if (keepWord(word)) kept++;
  return kept;
}

/**
 * Trains on a chunk of encoded corpus: word indices, with -1 ending each
 * sentence. Frequent words are subsampled away first, then every remaining
 * word is trained with a window drawn from 1..window. The learning rate
 * falls linearly from alphaStart to alphaEnd over the chunk.
 * Returns the summed loss; lastExamples() gives the number of examples.
 */
export function trainChunk(wordsAt: u32, n: i32, alphaStart: f32, alphaEnd: f32): f64 {
  const words = <usize>wordsAt;
  examples = 0;
  lossSum = 0;
  const slope = n > 0 ? (alphaEnd - alphaStart) / <f32>n : <f32>0;
  let length = 0;
  for (let p = 0; p <= n; p++) {
    const word = p < n ? load<i32>(words + (<usize>p << 2)) : -1;
    if (word >= 0) {
      if (!keepWord(word)) continue;
      store<i32>(sentence + (<usize>length << 2), word);
      length++;
      continue;
    }
    if (length > 1) {
      const alpha = alphaStart + slope * <f32>p;
      if (cbow) trainSentenceCbow(length, alpha);
      else if (shared) trainSentenceSkipGramShared(length, alpha);
      else trainSentenceSkipGram(length, alpha);
    }
    length = 0;
  }
  mergeHotRows();
  return lossSum;
}

export function lastExamples(): f64 {
  return examples;
}

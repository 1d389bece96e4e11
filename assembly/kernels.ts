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

import {
  CFG_ALIAS_INDEX, CFG_ALIAS_PROB, CFG_CBOW, CFG_CODE_OFFSET, CFG_CODES, CFG_HOT_ROWS, CFG_HS, CFG_KEEP, CFG_LOSS_NEG, CFG_LOSS_POS,
  CFG_NEGATIVE, CFG_POINTS, CFG_SHARED, CFG_SIGMOID, CFG_SOFTMAX, CFG_STRIDE, CFG_SYN0, CFG_SYN1, CFG_SYN1NEG, CFG_VOCAB, CFG_WINDOW,
  SIGMOID_MAX, SIGMOID_TABLE_SIZE,
} from './training-layout';

// The sigmoid and loss tables cover [-MAX_EXP, MAX_EXP]; beyond, they clamp.
const SIG_SIZE: i32 = SIGMOID_TABLE_SIZE;
const MAX_EXP: f32 = <f32>SIGMOID_MAX;
const SIG_SCALE: f32 = <f32>SIG_SIZE / (2.0 * MAX_EXP);

let syn0: usize = 0;
let syn1neg: usize = 0;
let syn1: usize = 0;
let stride: i32 = 0;
let rowBytes: usize = 0;
let vocabSize: u64 = 0;
let window: u64 = 0;
let negative: i32 = 0;
let keep: usize = 0;
let aliasProb: usize = 0;
let aliasIndex: usize = 0;
let codeOffset: usize = 0;
let points: usize = 0;
let codes: usize = 0;
let sigmoid: usize = 0;
let lossPos: usize = 0;
let lossNeg: usize = 0;
let cbow: bool = false;
let hs: bool = false;
let shared: bool = false;
let softmax: bool = false;
let hotRows: i32 = 0;

// Per-thread scratch.
let neu1: usize = 0;
let neu1e: usize = 0;
let sentence: usize = 0;
let outputs: usize = 0; // (row pointer, label) per output unit of one example
let contexts: usize = 0; // row pointers of one window's context words
let errors: usize = 0; // one error vector per context word
let grads: usize = 0; // g for each output unit (with shared outputs: for each context word and output unit)
let rng: u64 = 0;

// The hottest output rows (most frequent words' for negative sampling, those
// nearest the Huffman root for hierarchical softmax) are written by every
// thread all the time; shared, they would bounce between the cores' caches.
// Each thread trains a private replica of them instead and merges what it
// changed into the shared rows after every chunk (about 8,000 words): the
// other threads see those rows' updates a chunk late, which costs no accuracy
// (measured) and lets two threads scale.
let replica: usize = 0;
let snapshot: usize = 0; // the replica as it was after the last merge

// Counters of the last trainChunk call.
let examples: f64 = 0;
let lossSum: f64 = 0;

@inline function cfg(base: usize, field: i32): i32 {
  return load<i32>(base + (<usize>field << 2));
}

/** Reads the shared configuration and sets this thread's scratch and random state (see seededRandomState in src/train/kernel.ts). */
export function init(config: usize, scratchNeu1: usize, scratchNeu1e: usize, scratchSentence: usize, scratchOutputs: usize, scratchWindow: usize, scratchHot: usize, state: u64): void {
  syn0 = <usize>cfg(config, CFG_SYN0);
  syn1neg = <usize>cfg(config, CFG_SYN1NEG);
  syn1 = <usize>cfg(config, CFG_SYN1);
  stride = cfg(config, CFG_STRIDE);
  rowBytes = <usize>stride << 2;
  vocabSize = <u64>cfg(config, CFG_VOCAB);
  window = <u64>cfg(config, CFG_WINDOW);
  negative = cfg(config, CFG_NEGATIVE);
  keep = <usize>cfg(config, CFG_KEEP);
  aliasProb = <usize>cfg(config, CFG_ALIAS_PROB);
  aliasIndex = <usize>cfg(config, CFG_ALIAS_INDEX);
  codeOffset = <usize>cfg(config, CFG_CODE_OFFSET);
  points = <usize>cfg(config, CFG_POINTS);
  codes = <usize>cfg(config, CFG_CODES);
  sigmoid = <usize>cfg(config, CFG_SIGMOID);
  lossPos = <usize>cfg(config, CFG_LOSS_POS);
  lossNeg = <usize>cfg(config, CFG_LOSS_NEG);
  cbow = cfg(config, CFG_CBOW) != 0;
  hs = cfg(config, CFG_HS) != 0;
  shared = cfg(config, CFG_SHARED) != 0;
  softmax = cfg(config, CFG_SOFTMAX) != 0;
  hotRows = cfg(config, CFG_HOT_ROWS);
  neu1 = scratchNeu1;
  neu1e = scratchNeu1e;
  sentence = scratchSentence;
  outputs = scratchOutputs;
  // The window scratch holds 2*window context pointers, error vectors and gradient rows.
  contexts = scratchWindow;
  errors = contexts + ((<usize>window * 8 + 15) & ~15);
  grads = errors + <usize>window * 2 * rowBytes;
  replica = scratchHot;
  snapshot = replica + <usize>hotRows * rowBytes;
  for (let r = 0; r < hotRows; r++) {
    memory.copy(replica + <usize>r * rowBytes, sharedOutputRow(r), rowBytes);
  }
  memory.copy(snapshot, replica, <usize>hotRows * rowBytes);
  rng = state;
}

/** The shared output row of hot rank r (0 = hottest). */
@inline function sharedOutputRow(rank: i32): usize {
  return hs ? syn1 + <usize>(<i32>vocabSize - 2 - rank) * rowBytes : syn1neg + <usize>rank * rowBytes;
}

/** Where this thread reads and writes output row `index` (a word, or an inner node for hs). */
@inline function outputRow(index: i32): usize {
  const rank = hs ? <i32>vocabSize - 2 - index : index;
  return rank < hotRows ? replica + <usize>rank * rowBytes : sharedOutputRow(rank);
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

// xorshift64*: fast, 64-bit state, good high bits (the only ones used).
@inline function nextRandom(): u64 {
  let x = rng;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  rng = x;
  return x * 0x2545F4914F6CDD1D;
}

/** A uniform integer in [0, n) from the high 32 bits (multiply-shift, no division). */
@inline function below(random: u64, n: u64): u64 {
  return ((random >> 32) * n) >> 32;
}

/** One draw from the noise distribution by the alias method: O(1), two small tables. */
@inline function noiseWord(): i32 {
  const r = nextRandom();
  const slot = <usize>below(r, vocabSize);
  const threshold = load<u32>(aliasProb + (slot << 2));
  return <u32>r < threshold ? <i32>slot : load<i32>(aliasIndex + (slot << 2));
}

/** Exposed for tests: fills `out` with n noise words. */
export function drawNoise(out: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<i32>(out + (<usize>i << 2), noiseWord());
}

@inline function sigIndex(f: f32): usize {
  const i = <i32>((f + MAX_EXP) * SIG_SCALE);
  return <usize>min(max(i, 0), SIG_SIZE - 1) << 2;
}

@inline function dot(a: usize, b: usize): f32 {
  let acc0 = f32x4.splat(0);
  let acc1 = f32x4.splat(0);
  const bytes = rowBytes;
  let i: usize = 0;
  for (; i + 32 <= bytes; i += 32) {
    acc0 = f32x4.add(acc0, f32x4.mul(v128.load(a + i), v128.load(b + i)));
    acc1 = f32x4.add(acc1, f32x4.mul(v128.load(a + i, 16), v128.load(b + i, 16)));
  }
  if (i < bytes) acc0 = f32x4.add(acc0, f32x4.mul(v128.load(a + i), v128.load(b + i)));
  const s = f32x4.add(acc0, acc1);
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}

/** y += g * x */
@inline function axpy(g: f32, x: usize, y: usize): void {
  const gv = f32x4.splat(g);
  for (let i: usize = 0; i < rowBytes; i += 16) {
    v128.store(y + i, f32x4.add(v128.load(y + i), f32x4.mul(gv, v128.load(x + i))));
  }
}

@inline function zero(y: usize): void {
  const z = f32x4.splat(0);
  for (let i: usize = 0; i < rowBytes; i += 16) v128.store(y + i, z);
}

/**
 * The output layer for one example: logistic units for the `count` output
 * rows listed in the scratch `outputs` (row pointer, label), predicted from
 * hidden vector h. All dot products are taken first, at the same weights,
 * which is the exact gradient of the summed loss and lets the rows' cache
 * misses overlap; then every row is updated, and the error for h is summed
 * into neu1e. 'g' is the gradient multiplied by the learning rate.
 */
@inline function outputLayer(h: usize, count: i32, alpha: f32): void {
  // g goes to its own scratch, so that the list (labels included) can serve the next example too.
  for (let k = 0; k < count; k++) {
    store<f32>(grads + (<usize>k << 2), logisticGradient(h, outputs + (<usize>k << 3), alpha));
  }
  for (let k = 0; k < count; k++) {
    updateOutput(<usize>load<u32>(outputs + (<usize>k << 3)), h, load<f32>(grads + (<usize>k << 2)));
  }
}

/** g for output unit `slot` (row pointer, label) predicted from h; adds the unit's loss. */
@inline function logisticGradient(h: usize, slot: usize, alpha: f32): f32 {
  const f = dot(h, <usize>load<u32>(slot));
  const t = sigIndex(f);
  const label = load<f32>(slot, 4);
  // f - f is 0 for a finite score and NaN otherwise: the clamped tables alone would hide a run that diverged.
  lossSum += <f64>((label != 0 ? load<f32>(lossPos + t) : load<f32>(lossNeg + t)) + (f - f));
  return (label - load<f32>(sigmoid + t)) * alpha;
}

/** Fused: neu1e += g * out; out += g * h (each output row loaded once). */
@inline function updateOutput(out: usize, h: usize, g: f32): void {
  const gv = f32x4.splat(g);
  for (let i: usize = 0; i < rowBytes; i += 16) {
    const o = v128.load(out + i);
    v128.store(neu1e + i, f32x4.add(v128.load(neu1e + i), f32x4.mul(gv, o)));
    v128.store(out + i, f32x4.add(o, f32x4.mul(gv, v128.load(h + i))));
  }
}

@inline function setOutput(k: i32, row: usize, label: f32): void {
  const slot = outputs + (<usize>k << 3);
  store<u32>(slot, <u32>row);
  store<f32>(slot, label, 4);
}

/**
 * Lists the output units that predict `word` and returns their number.
 * Negative sampling: the word's row with label 1, then `negative` noise words
 * with label 0. Hierarchical softmax: the inner nodes on the word's Huffman
 * path, label 1 where the code bit is 0.
 */
@inline function chooseOutputs(word: i32): i32 {
  if (hs) {
    const start = load<i32>(codeOffset + (<usize>word << 2));
    const end = load<i32>(codeOffset + (<usize>(word + 1) << 2));
    for (let j = start; j < end; j++) {
      const node = load<i32>(points + (<usize>j << 2));
      setOutput(j - start, outputRow(node), load<u8>(codes + <usize>j) == 0 ? 1 : 0);
    }
    return end - start;
  }
  setOutput(0, outputRow(word), 1);
  let count = 1;
  for (let d = 0; d < negative; d++) {
    const target = noiseWord();
    if (target == word) continue;
    setOutput(count++, outputRow(target), 0);
  }
  return count;
}

// exp and log of our own: the standard library's keep tables in static data,
// which would be written into the shared memory at instantiation.

/** e^x to double precision: x = k ln 2 + r, |r| <= ln 2 / 2, Taylor series for e^r, 2^k by exponent bits. */
@inline function exp64(x: f64): f64 {
  if (x < -700) return 0;
  const k = Math.floor(x * 1.4426950408889634 + 0.5);
  const r = x - k * 0.6931471805599453;
  let term: f64 = 1;
  let sum: f64 = 1;
  for (let n = 1; n <= 9; n++) {
    term *= r / <f64>n;
    sum += term;
  }
  return sum * reinterpret<f64>(<u64>(<i64>k + 1023) << 52);
}

/** ln x for x > 0: x = m 2^e with m in [1, 2), ln m = 2 atanh((m - 1) / (m + 1)) by its series. */
@inline function log64(x: f64): f64 {
  const bits = reinterpret<u64>(x);
  const e = <f64>(<i64>(bits >> 52) - 1023);
  const m = reinterpret<f64>((bits & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000);
  const z = (m - 1) / (m + 1);
  const z2 = z * z;
  let term = z;
  let sum: f64 = 0;
  for (let n = 1; n <= 25; n += 2) {
    sum += term / <f64>n;
    term *= z2;
  }
  return e * 0.6931471805599453 + 2 * sum;
}

/**
 * The full softmax that negative sampling and hierarchical softmax stand in
 * for: p_j = exp(u_j . h) / sum_k exp(u_k . h) over every word j, loss
 * -log p_word, and every output row moves by g_j = (1[j = word] - p_j) * alpha.
 * O(V) per example: for small vocabularies and for comparison.
 */
function fullSoftmax(h: usize, word: i32, alpha: f32): void {
  const v = <i32>vocabSize;
  const scores = outputs; // V floats of scratch
  let top: f32 = -Infinity;
  let target: f32 = 0;
  for (let j = 0; j < v; j++) {
    const f = dot(h, syn1neg + <usize>j * rowBytes);
    store<f32>(scores + (<usize>j << 2), f);
    top = max(top, f);
    if (j == word) target = f;
  }
  let sum: f32 = 0;
  for (let j = 0; j < v; j++) {
    const e = <f32>exp64(<f64>(load<f32>(scores + (<usize>j << 2)) - top));
    store<f32>(scores + (<usize>j << 2), e);
    sum += e;
  }
  // -log p_word from the scores, finite even where exp(target - top) underflows; NaN once the weights are not numbers.
  lossSum += log64(<f64>sum) - <f64>(target - top);
  const inv = <f32>1 / sum;
  for (let j = 0; j < v; j++) {
    const p = load<f32>(scores + (<usize>j << 2)) * inv;
    updateOutput(syn1neg + <usize>j * rowBytes, h, ((j == word ? <f32>1 : <f32>0) - p) * alpha);
  }
}

/** Predicts `word` from hidden vector h: the full softmax, or the `count` output units listed (see chooseOutputs). */
@inline function predict(h: usize, word: i32, count: i32, alpha: f32): void {
  if (softmax) fullSoftmax(h, word, alpha);
  else outputLayer(h, count, alpha);
}

/** The output units that predict `word`, listed (see chooseOutputs); none for the full softmax, which takes them all. */
@inline function listOutputs(word: i32): i32 {
  return softmax ? 0 : chooseOutputs(word);
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

// The context of the current centre word: positions windowFrom..windowTo.
let windowFrom: i32 = 0;
let windowTo: i32 = 0;

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
      store<u32>(contexts + (<usize>m << 2), <u32>(inputRowAt(c)));
      m++;
    }
    if (m == 0) continue;
    const n = chooseOutputs(word);
    // g for every (context, output) pair, all at the current weights.
    for (let j = 0; j < m; j++) {
      const h = <usize>load<u32>(contexts + (<usize>j << 2));
      for (let k = 0; k < n; k++) {
        store<f32>(grads + (<usize>(j * n + k) << 2), logisticGradient(h, outputs + (<usize>k << 3), alpha));
      }
    }
    // Errors for the inputs from the outputs as they were, then the outputs, then the inputs.
    for (let j = 0; j < m; j++) {
      const e = errors + <usize>j * rowBytes;
      zero(e);
      for (let k = 0; k < n; k++) {
        axpy(load<f32>(grads + (<usize>(j * n + k) << 2)), <usize>load<u32>(outputs + (<usize>k << 3)), e);
      }
    }
    for (let k = 0; k < n; k++) {
      const out = <usize>load<u32>(outputs + (<usize>k << 3));
      for (let j = 0; j < m; j++) {
        axpy(load<f32>(grads + (<usize>(j * n + k) << 2)), <usize>load<u32>(contexts + (<usize>j << 2)), out);
      }
    }
    for (let j = 0; j < m; j++) {
      axpy(1, errors + <usize>j * rowBytes, <usize>load<u32>(contexts + (<usize>j << 2)));
    }
    examples += m;
  }
}

function trainSentenceCbow(length: i32, alpha: f32): void {
  for (let i = 0; i < length; i++) {
    const word = wordAt(i);
    drawWindow(i, length);
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
}

/** Subsampling of frequent words: keep with the word's probability (a 32-bit threshold). */
@inline function keepWord(word: i32): bool {
  return keep == 0 || <u32>(nextRandom() >> 32) <= load<u32>(keep + (<usize>word << 2));
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
export function trainChunk(words: usize, n: i32, alphaStart: f32, alphaEnd: f32): f64 {
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

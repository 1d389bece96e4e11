// The output layer: the output units that predict a word (negative sampling,
// hierarchical softmax or the full softmax), their gradients and updates,
// and where each output row lives (shared, or in the hot replica).

import {
  SIG_SIZE, MAX_EXP, SIG_SCALE, syn1neg, syn1, rowBytes, vocabSize, negative, codeOffset, points, codes, sigmoid, lossPos, lossNeg, hs,
  softmax, hotRows, neu1e, outputs, grads, replica, lossSum, LABEL_AT, SLOT_SHIFT,
} from './kernel-state';
import { noiseWord } from './random-draws';
import { dot, exp64, log64 } from './vector-math';

/** The shared output row of hot rank r (0 = hottest). */
@inline export function sharedOutputRow(rank: i32): usize {
  return hs ? syn1 + <usize>(<i32>vocabSize - 2 - rank) * rowBytes : syn1neg + <usize>rank * rowBytes;
}

/** Where this thread reads and writes output row `index` (a word, or an inner node for hs). */
@inline export function outputRow(index: i32): usize {
  const rank = hs ? <i32>vocabSize - 2 - index : index;
  return rank < hotRows ? replica + <usize>rank * rowBytes : sharedOutputRow(rank);
}

@inline export function sigIndex(f: f32): usize {
  const i = <i32>((f + MAX_EXP) * SIG_SCALE);
  return <usize>min(max(i, 0), SIG_SIZE - 1) << 2;
}

/**
 * The output layer for one example: logistic units for the `count` output
 * rows listed in the scratch `outputs` (row pointer, label), predicted from
 * hidden vector h. All dot products are taken first, at the same weights,
 * which is the exact gradient of the summed loss and lets the rows' cache
 * misses overlap; then every row is updated, and the error for h is summed
 * into neu1e. 'g' is the gradient multiplied by the learning rate.
 */
@inline export function outputLayer(h: usize, count: i32, alpha: f32): void {
  // g goes to its own scratch, so that the list (labels included) can serve the next example too.
  for (let k = 0; k < count; k++) {
    store<f32>(grads + (<usize>k << 2), logisticGradient(h, outputs + (<usize>k << SLOT_SHIFT), alpha));
  }
  for (let k = 0; k < count; k++) {
    updateOutput(load<usize>(outputs + (<usize>k << SLOT_SHIFT)), h, load<f32>(grads + (<usize>k << 2)));
  }
}

/** g for output unit `slot` (row pointer, label) predicted from h; adds the unit's loss. */
@inline export function logisticGradient(h: usize, slot: usize, alpha: f32): f32 {
  const f = dot(h, load<usize>(slot));
  const t = sigIndex(f);
  const label = load<f32>(slot, LABEL_AT);
  // f - f is 0 for a finite score and NaN otherwise: the clamped tables alone would hide a run that diverged.
  lossSum += <f64>((label != 0 ? load<f32>(lossPos + t) : load<f32>(lossNeg + t)) + (f - f));
  return (label - load<f32>(sigmoid + t)) * alpha;
}

/** Fused: neu1e += g * out; out += g * h (each output row loaded once). */
@inline export function updateOutput(out: usize, h: usize, g: f32): void {
  const gv = f32x4.splat(g);
  for (let i: usize = 0; i < rowBytes; i += 16) {
    const o = v128.load(out + i);
    v128.store(neu1e + i, f32x4.add(v128.load(neu1e + i), f32x4.mul(gv, o)));
    v128.store(out + i, f32x4.add(o, f32x4.mul(gv, v128.load(h + i))));
  }
}

@inline export function setOutput(k: i32, row: usize, label: f32): void {
  const slot = outputs + (<usize>k << SLOT_SHIFT);
  store<usize>(slot, row);
  store<f32>(slot, label, LABEL_AT);
}

/**
 * Lists the output units that predict `word` and returns their number.
 * Negative sampling: the word's row with label 1, then `negative` noise words
 * with label 0. Hierarchical softmax: the inner nodes on the word's Huffman
 * path, label 1 where the code bit is 0.
 */
@inline export function chooseOutputs(word: i32): i32 {
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

/**
 * The full softmax that negative sampling and hierarchical softmax stand in
 * for: p_j = exp(u_j . h) / sum_k exp(u_k . h) over every word j, loss
 * -log p_word, and every output row moves by g_j = (1[j = word] - p_j) * alpha.
 * O(V) per example: for small vocabularies and for comparison.
 */
export function fullSoftmax(h: usize, word: i32, alpha: f32): void {
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
@inline export function predict(h: usize, word: i32, count: i32, alpha: f32): void {
  if (softmax) fullSoftmax(h, word, alpha);
  else outputLayer(h, count, alpha);
}

/** The output units that predict `word`, listed (see chooseOutputs); none for the full softmax, which takes them all. */
@inline export function listOutputs(word: i32): i32 {
  return softmax ? 0 : chooseOutputs(word);
}

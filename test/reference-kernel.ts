/**
 * The training objective in plain TypeScript with exact sigmoids: the
 * reference the WebAssembly kernels are tested against. For one input vector
 * v, a true output u_o and noise outputs u_k, negative sampling's loss is
 *   J = -log sigma(u_o . v) - sum_k log sigma(-u_k . v)
 * and hierarchical softmax's is the same sum over the word's Huffman path,
 * with label 1 where the code bit is 0.
 */
export interface LogisticTarget {
  output: Float32Array;
  /** 1 for the true word (or code bit 0), 0 for a noise word (or code bit 1). */
  label: 0 | 1;
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** The loss J for input vector v against its targets. */
export function logisticLoss(v: ArrayLike<number>, targets: LogisticTarget[]): number {
  let loss = 0;
  for (const { output, label } of targets) {
    const f = dot(v, output);
    loss += label === 1 ? Math.log1p(Math.exp(-f)) : Math.log1p(Math.exp(f));
  }
  return loss;
}

/** dJ/dv and dJ/du for each target: (sigma(u.v) - label) times the other vector. */
export function logisticGradients(
  v: ArrayLike<number>,
  targets: LogisticTarget[],
): { input: Float64Array; outputs: Float64Array[] } {
  const input = new Float64Array(v.length);
  const outputs = targets.map(({ output, label }) => {
    const e = sigmoid(dot(v, output)) - label;
    for (let i = 0; i < v.length; i++) input[i] += e * output[i];
    return Float64Array.from(v, (x) => e * x);
  });
  return { input, outputs };
}

/**
 * One stochastic gradient step, as the kernels take it: every output row is
 * updated in turn, and the input's gradient is summed with each output row as
 * it was before that row's own update, then applied at the end.
 */
export function logisticStep(v: Float32Array, targets: LogisticTarget[], alpha: number): void {
  const error = new Float64Array(v.length);
  for (const { output, label } of targets) {
    const g = (label - sigmoid(dot(v, output))) * alpha;
    for (let i = 0; i < v.length; i++) {
      error[i] += g * output[i];
      output[i] += g * v[i];
    }
  }
  for (let i = 0; i < v.length; i++) v[i] += error[i];
}

/**
 * One step of the full softmax, the objective both approximate:
 * J = -log(exp(u_t . v) / sum_j exp(u_j . v)); every output row moves by
 * (1[j = t] - p_j) * alpha * v and the input by the sum of those rows' pulls.
 */
export function softmaxStep(
  v: Float32Array,
  outputs: Float32Array[],
  target: number,
  alpha: number,
): number {
  const scores = outputs.map((u) => dot(u, v));
  const top = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - top));
  const sum = exps.reduce((a, b) => a + b, 0);
  const error = new Float64Array(v.length);
  outputs.forEach((u, j) => {
    const g = ((j === target ? 1 : 0) - exps[j] / sum) * alpha;
    for (let i = 0; i < v.length; i++) {
      error[i] += g * u[i];
      u[i] += g * v[i];
    }
  });
  for (let i = 0; i < v.length; i++) v[i] += error[i];
  return Math.log(sum) - (scores[target] - top);
}

/**
 * fastText's CBOW over one sentence, centre word after centre word, with a
 * reach of 1 (one word each side): the hidden layer is the mean of every row
 * of the context words (`rowsOf` gives a word's rows of `input`, `dim` wide),
 * it predicts the centre word against `targetsOf` its output rows, and each of
 * those rows then takes the summed error.
 */
export function subwordCbowSentence(
  sentence: readonly number[],
  rowsOf: (word: number) => Float32Array[],
  targetsOf: (word: number) => LogisticTarget[],
  dim: number,
  alpha: number,
): void {
  for (let i = 0; i < sentence.length; i++) {
    const rows = [i - 1, i + 1]
      .filter((c) => c >= 0 && c < sentence.length)
      .flatMap((c) => rowsOf(sentence[c]));
    meanStep(rows, targetsOf(sentence[i]), dim, alpha);
  }
}

/** fastText's Model::update: the mean of `rows` predicts `targets`, and every row takes the error. */
function meanStep(
  rows: Float32Array[],
  targets: LogisticTarget[],
  dim: number,
  alpha: number,
): void {
  const h = new Float32Array(dim);
  for (const row of rows) for (let d = 0; d < dim; d++) h[d] += row[d] / rows.length;
  const before = Float32Array.from(h);
  logisticStep(h, targets, alpha);
  for (const row of rows) for (let d = 0; d < dim; d++) row[d] += h[d] - before[d];
}

/**
 * fastText's skip-gram over one sentence with a reach of 1: for each centre
 * word and each of its neighbours in turn, the hidden layer is the mean of
 * the centre word's rows as they are now, it predicts the neighbour, and
 * every one of those rows then takes the error.
 */
export function subwordSkipGramSentence(
  sentence: readonly number[],
  rowsOf: (word: number) => Float32Array[],
  targetsOf: (word: number) => LogisticTarget[],
  dim: number,
  alpha: number,
): void {
  for (let i = 0; i < sentence.length; i++) {
    const rows = rowsOf(sentence[i]);
    for (const c of [i - 1, i + 1]) {
      if (c >= 0 && c < sentence.length) meanStep(rows, targetsOf(sentence[c]), dim, alpha);
    }
  }
}

/**
 * The layout of Facebook fastText's `.bin` model files (fastText's
 * `FastText::saveModel`), all numbers little-endian:
 *
 * - magic int32 793712314 and format version int32 (12; 11 earlier). Files
 *   older still have neither and start at `dim`, and their dictionary and
 *   matrices lack the fields marked "new" below.
 * - args: dim, ws, epoch, minCount, neg, wordNgrams, loss (1 hs, 2 ns,
 *   3 softmax, 4 ova), model (1 cbow, 2 sg, 3 supervised), bucket, minn,
 *   maxn, lrUpdateRate as int32, then t (the sample threshold) as float64.
 * - dictionary: size, nwords, nlabels int32; ntokens int64; (new)
 *   pruneidx_size int64; per entry the word's bytes and a NUL, its count
 *   int64 and its type int8 (0 word, 1 label); (new) pruneidx_size pairs of int32.
 * - (new) quant_input bool; the input matrix: rows int64, cols int64 and
 *   `rows × cols` float32, the words' rows first, then `bucket` n-gram rows.
 * - (new) qout bool; the output matrix likewise, one row per word.
 */

export const FASTTEXT_MAGIC = 793712314;
export const FASTTEXT_VERSION = 12;

/** Bytes of the args block: twelve int32 and a float64. */
export const ARGS_BYTES = 12 * 4 + 8;

/** fastText's `model_name`. */
export const MODEL_CBOW = 1;
export const MODEL_SKIPGRAM = 2;
export const MODEL_SUPERVISED = 3;

/** fastText's `loss_name`. */
export const LOSS_HS = 1;
export const LOSS_NS = 2;
export const LOSS_SOFTMAX = 3;

/** The args block, by fastText's names. */
export interface FastTextArgs {
  dim: number;
  ws: number;
  epoch: number;
  minCount: number;
  neg: number;
  wordNgrams: number;
  loss: number;
  model: number;
  bucket: number;
  minn: number;
  maxn: number;
  lrUpdateRate: number;
  t: number;
}

/** Reads the args block at `at` of `view` (after the magic and version, or at 0 in an old file). */
export function readArgs(view: DataView, at: number, old: boolean): FastTextArgs {
  const int = (i: number): number => view.getInt32(at + 4 * i, true);
  if (old) {
    // The oldest files start at dim and ws, where the magic and version are now.
    return {
      dim: view.getInt32(0, true),
      ws: view.getInt32(4, true),
      epoch: int(0),
      minCount: int(1),
      neg: int(2),
      wordNgrams: int(3),
      loss: int(4),
      model: int(5),
      bucket: int(6),
      minn: int(7),
      maxn: int(8),
      lrUpdateRate: int(9),
      t: view.getFloat64(at + 40, true),
    };
  }
  return {
    dim: int(0),
    ws: int(1),
    epoch: int(2),
    minCount: int(3),
    neg: int(4),
    wordNgrams: int(5),
    loss: int(6),
    model: int(7),
    bucket: int(8),
    minn: int(9),
    maxn: int(10),
    lrUpdateRate: int(11),
    t: view.getFloat64(at + 48, true),
  };
}

/** Writes the args block (new layout) into `view` at `at`. */
export function writeArgs(view: DataView, at: number, args: FastTextArgs): void {
  const ints = [
    args.dim,
    args.ws,
    args.epoch,
    args.minCount,
    args.neg,
    args.wordNgrams,
    args.loss,
    args.model,
    args.bucket,
    args.minn,
    args.maxn,
    args.lrUpdateRate,
  ];
  ints.forEach((value, i) => view.setInt32(at + 4 * i, value, true));
  view.setFloat64(at + 48, args.t, true);
}

/** Whether the args look like a real model's (to tell an old, magic-less file from other binary data). */
export function plausibleArgs(args: FastTextArgs): boolean {
  const within = (value: number, low: number, high: number): boolean =>
    Number.isInteger(value) && value >= low && value <= high;
  return (
    within(args.dim, 1, 100000) &&
    within(args.ws, 1, 10000) &&
    within(args.epoch, 1, 1000000) &&
    within(args.minCount, 0, 0x7fffffff) &&
    within(args.neg, 0, 100000) &&
    within(args.wordNgrams, 0, 1000) &&
    within(args.loss, 1, 4) &&
    within(args.model, 1, 3) &&
    within(args.bucket, 0, 0x7fffffff) &&
    within(args.minn, 0, 1000) &&
    within(args.maxn, 0, 1000) &&
    args.t >= 0 &&
    args.t <= 1
  );
}

/**
 * Whether `head` (the first bytes of a file) starts a fastText model: the
 * magic and a version no newer than ours, or an old file's plausible args.
 * @example
 * isFastTextBin(await readHead('cc.en.300.bin')); // true
 */
export function isFastTextBin(head: Uint8Array): boolean {
  if (head.length < 8 + ARGS_BYTES) return false;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (view.getInt32(0, true) === FASTTEXT_MAGIC) return true;
  return plausibleArgs(readArgs(view, 8, true));
}

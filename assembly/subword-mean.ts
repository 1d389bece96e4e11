// The vectors of a subword model's words, as fastText makes them when it
// loads a model: each word's own row plus its character n-grams' rows,
// added in float32 one row after the other, times 1 / (n-grams + 1). The
// host puts the n-gram rows and a batch of words' own rows in this memory;
// nothing here allocates. Lane-wise f32x4 adds in the same order give the
// bits of the scalar float32 sums.

/**
 * Turns each of `words` own rows at `vectors` into the word's vector, in place.
 *
 * @param vectors  words × dim float32: the batch's own rows, row after row
 * @param dim      values per row
 * @param offsets  i32 × (words + 1): word w's n-grams are ids[offsets[w] .. offsets[w + 1])
 * @param ids      i32 n-gram row numbers
 * @param rowsAt   where n-gram row 0 starts; row r lies `r × dim × 4` bytes on
 */
export function meanRows(
  vectors: usize, words: i32, dim: i32, offsets: usize, ids: usize, rowsAt: usize,
): void {
  const rowBytes = <usize>dim << 2;
  const wide = dim & ~3;
  for (let w = 0; w < words; w++) {
    const out = vectors + <usize>w * rowBytes;
    const first = load<i32>(offsets + (<usize>w << 2));
    const last = load<i32>(offsets + (<usize>(w + 1) << 2));
    for (let i = first; i < last; i++) {
      const row = rowsAt + <usize>load<i32>(ids + (<usize>i << 2)) * rowBytes;
      let k = 0;
      for (; k < wide; k += 4) {
        const at = <usize>k << 2;
        v128.store(out + at, f32x4.add(v128.load(out + at), v128.load(row + at)));
      }
      for (; k < dim; k++) {
        const at = <usize>k << 2;
        store<f32>(out + at, load<f32>(out + at) + load<f32>(row + at));
      }
    }
    // As fastText: 1.0 / n in double, then a float32 factor.
    const scale = <f32>(1.0 / <f64>(last - first + 1));
    const factor = f32x4.splat(scale);
    let k = 0;
    for (; k < wide; k += 4) {
      const at = <usize>k << 2;
      v128.store(out + at, f32x4.mul(v128.load(out + at), factor));
    }
    for (; k < dim; k++) {
      const at = <usize>k << 2;
      store<f32>(out + at, load<f32>(out + at) * scale);
    }
  }
}

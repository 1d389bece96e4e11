// A synthetic word2vec model of any size, written as a stream: words
// `w0_x` … `w{N-1}_x`, each vector a random combination of `rank` random
// factors plus Gaussian noise, so the rows span a low-rank space as trained
// embeddings roughly do. The same seed gives the same file. Rows are made and
// written a block at a time, so the whole matrix is never in memory.
import { open } from 'node:fs/promises';

export interface SyntheticModelSpec {
  words: number;
  dim: number;
  /** How many random factors every row combines. */
  rank: number;
  /** Standard deviation of the noise added to every value (the factor part has about 1). */
  noise: number;
  seed: number;
}

/** Where to write the model: word2vec binary, and optionally the same rows as word2vec text. */
export interface SyntheticModelFiles {
  binary: string;
  text?: string;
}

/** The word of a row. */
export function syntheticWord(row: number): string {
  return `w${row}_x`;
}

/** Rows made and written at once. */
const BLOCK_ROWS = 8192;

/**
 * Writes the model. Text values have six decimals, as word2vec.c's "%lf";
 * so the text file holds the binary file's values rounded to 1e-6.
 * @param onRows told the number of rows written so far, after every block.
 */
export async function writeSyntheticModel(
  spec: SyntheticModelSpec,
  files: SyntheticModelFiles,
  onRows: (rows: number) => void = () => {},
): Promise<void> {
  const { words, dim } = spec;
  // The records copy the Float32Array's bytes, which word2vec files want little-endian.
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1)
    throw new Error('writing a word2vec binary file needs a little-endian machine');
  const source = new SyntheticRows(spec);
  const binary = await open(files.binary, 'w');
  const text = files.text === undefined ? undefined : await open(files.text, 'w');
  try {
    const header = Buffer.from(`${words} ${dim}\n`);
    await binary.write(header);
    await text?.write(header);
    const rows = new Float32Array(BLOCK_ROWS * dim);
    for (let first = 0; first < words; first += BLOCK_ROWS) {
      const count = Math.min(BLOCK_ROWS, words - first);
      source.fill(rows, count);
      await binary.write(binaryRecords(rows, first, count, dim));
      if (text) await text.write(textRecords(rows, first, count, dim));
      onRows(first + count);
    }
  } finally {
    await binary.close();
    await text?.close();
  }
}

/**
 * The rows of a synthetic model, made a block at a time: the same seed
 * gives the same rows, in the same order.
 */
export class SyntheticRows {
  private readonly random: GaussianSource;
  private readonly factors: Float32Array;

  constructor(private readonly spec: Omit<SyntheticModelSpec, 'words'>) {
    this.random = new GaussianSource(spec.seed);
    this.factors = new Float32Array(spec.rank * spec.dim);
    for (let i = 0; i < this.factors.length; i++) this.factors[i] = this.random.next();
  }

  /** Fills the first `count` rows of `rows` (`dim` values each) with the next rows. */
  fill(rows: Float32Array, count: number): void {
    fillRows(rows, count, this.spec, this.factors, this.random);
  }
}

/** Fills the first `count` rows: coefficients · factors / √rank + noise. */
function fillRows(
  rows: Float32Array,
  count: number,
  { dim, rank, noise }: Omit<SyntheticModelSpec, 'words'>,
  factors: Float32Array,
  random: GaussianSource,
): void {
  const scale = 1 / Math.sqrt(rank);
  const coefficients = new Float32Array(4 * rank);
  for (let row = 0; row < count; row += 4) {
    // Four rows at a time, so each factor value is read once for four rows.
    const block = Math.min(4, count - row);
    for (let i = 0; i < 4 * rank; i++)
      coefficients[i] = i < block * rank ? random.next() * scale : 0;
    const r0 = row * dim;
    const r1 = r0 + dim;
    const r2 = r1 + dim;
    const r3 = r2 + dim;
    for (let j = 0; j < block * dim; j++) rows[r0 + j] = noise * random.next();
    for (let k = 0; k < rank; k++) {
      const c0 = coefficients[k]!;
      const c1 = coefficients[rank + k]!;
      const c2 = coefficients[2 * rank + k]!;
      const c3 = coefficients[3 * rank + k]!;
      const f = k * dim;
      if (block === 4) {
        for (let j = 0; j < dim; j++) {
          const x = factors[f + j]!;
          rows[r0 + j] += c0 * x;
          rows[r1 + j] += c1 * x;
          rows[r2 + j] += c2 * x;
          rows[r3 + j] += c3 * x;
        }
      } else {
        for (let b = 0; b < block; b++) {
          const c = coefficients[b * rank + k]!;
          for (let j = 0; j < dim; j++) rows[r0 + b * dim + j] += c * factors[f + j]!;
        }
      }
    }
  }
}

/** word2vec binary records: the word, a space, the little-endian float32 values, a newline. */
function binaryRecords(rows: Float32Array, first: number, count: number, dim: number): Buffer {
  const words = Array.from({ length: count }, (_, i) => syntheticWord(first + i));
  const size = words.reduce((sum, word) => sum + word.length + 2 + 4 * dim, 0);
  const out = Buffer.allocUnsafe(size);
  const values = new Uint8Array(rows.buffer, rows.byteOffset, count * dim * 4);
  let at = 0;
  words.forEach((word, i) => {
    at += out.write(word, at, 'latin1');
    out[at++] = 0x20;
    out.set(values.subarray(i * dim * 4, (i + 1) * dim * 4), at);
    at += dim * 4;
    out[at++] = 0x0a;
  });
  return out;
}

/** The longest value written: a sign, up to 7 integer digits, a point, six decimals, a space. */
const MAX_VALUE_CHARS = 16;

/** word2vec text records: the word and its values with six decimals, separated by spaces. */
function textRecords(rows: Float32Array, first: number, count: number, dim: number): Buffer {
  const out = Buffer.allocUnsafe(count * (24 + dim * MAX_VALUE_CHARS));
  let at = 0;
  for (let i = 0; i < count; i++) {
    at += out.write(syntheticWord(first + i), at, 'latin1');
    for (let j = 0; j < dim; j++) {
      out[at++] = 0x20;
      at = writeFixed6(out, at, rows[i * dim + j]!);
    }
    out[at++] = 0x0a;
  }
  return out.subarray(0, at);
}

/** Writes `x` rounded to six decimals ("%.6f" for |x| < 1e7) and returns the position after it. */
function writeFixed6(out: Buffer, at: number, x: number): number {
  let micros = Math.round(x * 1e6);
  if (micros < 0) {
    out[at++] = 0x2d; // '-'
    micros = -micros;
  }
  let whole = Math.floor(micros / 1e6);
  let fraction = micros - whole * 1e6;
  const start = at;
  do {
    out[at++] = 0x30 + (whole % 10);
    whole = Math.floor(whole / 10);
  } while (whole > 0);
  out.subarray(start, at).reverse();
  out[at++] = 0x2e; // '.'
  for (let d = 5; d >= 0; d--) {
    out[at + d] = 0x30 + (fraction % 10);
    fraction = Math.floor(fraction / 10);
  }
  return at + 6;
}

/**
 * Seeded standard normal values: xorshift128 (Marsaglia) uniforms through
 * the Box–Muller transform, which gives two values a pair of uniforms.
 */
class GaussianSource {
  private readonly state: Uint32Array;
  private spare = NaN;

  constructor(seed: number) {
    this.state = new Uint32Array([seed >>> 0 || 1, 0x6c078965, 0x9908b0df, 0x1f83d9ab]);
    for (let i = 0; i < 16; i++) this.uniform(); // mix the seed through the state
  }

  next(): number {
    if (!Number.isNaN(this.spare)) {
      const value = this.spare;
      this.spare = NaN;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(this.uniform()));
    const angle = 2 * Math.PI * this.uniform();
    this.spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Uniform in (0, 1). */
  private uniform(): number {
    const s = this.state;
    let t = s[3]!;
    t ^= t << 11;
    t ^= t >>> 8;
    s[3] = s[2]!;
    s[2] = s[1]!;
    s[1] = s[0]!;
    t ^= s[0]! ^ (s[0]! >>> 19);
    s[0] = t;
    return ((t >>> 0) + 0.5) / 4294967296;
  }
}

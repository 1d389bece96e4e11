/**
 * 2-D projections of word vectors for the explorer's map: PCA (written
 * here, exact and deterministic) and UMAP (umap-js, seeded). Both take the
 * rows of a row-major matrix, normally the unit vectors of the most
 * frequent words. New rows can be placed on a fitted map ({@link pcaPlace},
 * {@link UmapFit.place}). projection-run.ts runs either on a worker thread
 * so the server keeps answering while a large map is computed.
 */
import { seededRandom } from '../sampling/random.js';

export type ProjectionMethod = 'pca' | 'umap';

export const PROJECTION_METHODS: readonly ProjectionMethod[] = ['pca', 'umap'];

export interface Projection {
  method: ProjectionMethod;
  /** Number of points. */
  count: number;
  /** x0, y0, x1, y1, … for the `count` rows. */
  coords: Float32Array;
  /** PCA only: fraction of the total variance along each axis. */
  explainedVariance?: [number, number];
  /** PCA only: the fitted axes and mean, to place more rows on the map. */
  axes?: { components: Float64Array; mean: Float64Array };
}

export interface PcaResult {
  /** x0, y0, x1, y1, … */
  coords: Float64Array;
  /** Fraction of the total variance along each of the two axes. */
  explainedVariance: [number, number];
  /** The two principal axes, `2 × dim`, unit length. */
  components: Float64Array;
  /** Mean row, subtracted before projecting. */
  mean: Float64Array;
}

/**
 * Principal component analysis onto two axes: the covariance matrix of the
 * rows (dim × dim), its top two eigenvectors by orthogonal (block power)
 * iteration with a Rayleigh–Ritz step, then each centred row projected on
 * them. The sign of each axis is fixed (its largest component is positive),
 * so the same vectors always give the same picture.
 * @example
 * const { coords } = pca2(kv.unitVectors().subarray(0, 2000 * kv.dim), 2000, kv.dim);
 */
export function pca2(rows: ArrayLike<number>, count: number, dim: number): PcaResult {
  if (rows.length < count * dim)
    throw new RangeError(`expected ${count} × ${dim} values, got ${rows.length}`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++)
    for (let k = 0; k < dim; k++) mean[k] = mean[k]! + rows[i * dim + k]!;
  if (count > 0) for (let k = 0; k < dim; k++) mean[k] = mean[k]! / count;

  // Upper triangle of the covariance, accumulated row by row from a centred copy.
  const cov = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < dim; k++) centred[k] = rows[i * dim + k]! - mean[k]!;
    for (let a = 0; a < dim; a++) {
      const ca = centred[a]!;
      if (ca === 0) continue;
      const base = a * dim;
      for (let b = a; b < dim; b++) cov[base + b] = cov[base + b]! + ca * centred[b]!;
    }
  }
  const scale = count > 1 ? 1 / (count - 1) : 1;
  let trace = 0;
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      const v = cov[a * dim + b]! * scale;
      cov[a * dim + b] = v;
      cov[b * dim + a] = v;
    }
    trace += cov[a * dim + a]!;
  }

  const { vectors, values } = topTwoEigen(cov, dim);
  const components = new Float64Array(2 * dim);
  components.set(vectors[0]!, 0);
  components.set(vectors[1]!, dim);
  const coords = new Float64Array(2 * count);
  for (let i = 0; i < count; i++) {
    let x = 0;
    let y = 0;
    for (let k = 0; k < dim; k++) {
      const c = rows[i * dim + k]! - mean[k]!;
      x += c * components[k]!;
      y += c * components[dim + k]!;
    }
    coords[2 * i] = x;
    coords[2 * i + 1] = y;
  }
  const explained: [number, number] = trace > 0 ? [values[0]! / trace, values[1]! / trace] : [0, 0];
  return { coords, explainedVariance: explained, components, mean };
}

function multiply(matrix: Float64Array, dim: number, v: Float64Array): Float64Array {
  const out = new Float64Array(dim);
  for (let a = 0; a < dim; a++) {
    let sum = 0;
    const base = a * dim;
    for (let b = 0; b < dim; b++) sum += matrix[base + b]! * v[b]!;
    out[a] = sum;
  }
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += a[k]! * b[k]!;
  return sum;
}

/** Makes `v` unit length in place; returns false (and leaves zeros) if it has no length. */
function normalise(v: Float64Array): boolean {
  const norm = Math.sqrt(dot(v, v));
  if (!(norm > 1e-300)) {
    v.fill(0);
    return false;
  }
  for (let k = 0; k < v.length; k++) v[k] = v[k]! / norm;
  return true;
}

/** v -= (v·u) u for a unit u. */
function removeComponent(v: Float64Array, u: Float64Array): void {
  const c = dot(v, u);
  for (let k = 0; k < v.length; k++) v[k] = v[k]! - c * u[k]!;
}

/** Top two eigenpairs of a symmetric positive semi-definite matrix, largest first. */
function topTwoEigen(
  matrix: Float64Array,
  dim: number,
): { vectors: [Float64Array, Float64Array]; values: [number, number] } {
  // Deterministic, generic starting vectors (not orthogonal to any likely axis).
  let q0: Float64Array = Float64Array.from({ length: dim }, (_, k) => 1 + ((k * 7919) % 13) / 13);
  let q1: Float64Array = Float64Array.from(
    { length: dim },
    (_, k) => ((k * 104729) % 17) / 17 - 0.5,
  );
  normalise(q0);
  removeComponent(q1, q0);
  if (!normalise(q1) && dim > 1) {
    q1[1] = 1;
    removeComponent(q1, q0);
    normalise(q1);
  }
  for (let iteration = 0; iteration < 1000; iteration++) {
    const z0 = multiply(matrix, dim, q0);
    const z1 = multiply(matrix, dim, q1);
    normalise(z0);
    removeComponent(z1, z0);
    normalise(z1);
    const change = Math.abs(1 - Math.abs(dot(z0, q0))) + Math.abs(1 - Math.abs(dot(z1, q1)));
    q0 = z0;
    q1 = z1;
    if (change < 1e-13) break;
  }
  // Rayleigh–Ritz: the exact eigenvectors of the 2 × 2 restriction.
  const c0 = multiply(matrix, dim, q0);
  const c1 = multiply(matrix, dim, q1);
  const t00 = dot(q0, c0);
  const t01 = dot(q0, c1);
  const t11 = dot(q1, c1);
  const half = (t00 + t11) / 2;
  const spread = Math.sqrt(((t00 - t11) / 2) ** 2 + t01 * t01);
  const values: [number, number] = [Math.max(0, half + spread), Math.max(0, half - spread)];
  const theta = 0.5 * Math.atan2(2 * t01, t00 - t11);
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const v0 = new Float64Array(dim);
  const v1 = new Float64Array(dim);
  for (let k = 0; k < dim; k++) {
    v0[k] = cos * q0[k]! + sin * q1[k]!;
    v1[k] = -sin * q0[k]! + cos * q1[k]!;
  }
  for (const v of [v0, v1]) {
    let largest = 0;
    for (let k = 1; k < dim; k++) if (Math.abs(v[k]!) > Math.abs(v[largest]!)) largest = k;
    if (v[largest]! < 0) for (let k = 0; k < dim; k++) v[k] = -v[k]!;
  }
  return { vectors: [v0, v1], values };
}

/** How far a projection has come: UMAP reports its stages and epochs. */
export interface ProjectionProgress {
  /** Waiting for another map to finish, begun, finding each word's neighbours (UMAP), or laying out the points (UMAP). */
  stage: 'queued' | 'started' | 'neighbours' | 'layout';
  /** Epochs done (layout), else 0. */
  done: number;
  /** Epochs in all (layout), else 0. */
  total: number;
}

/** A fitted UMAP map: its points, and new points placed on it. */
export interface UmapFit {
  coords: Float32Array;
  /**
   * Places `count` new rows on the map without moving its points (umap-js's
   * transform). Each row is placed alone from the same seed, so a word's
   * place depends only on the word and the map.
   */
  place(rows: ArrayLike<number>, count: number): Float32Array;
}

/**
 * UMAP onto two axes with umap-js (15 neighbours, Euclidean distance, which
 * on unit vectors orders neighbours as cosine similarity does). Runs on the
 * calling thread (the server runs it on a worker thread); `onProgress` hears
 * of the stages and of every few epochs.
 */
export async function fitUmap(
  rows: ArrayLike<number>,
  count: number,
  dim: number,
  seed = 1,
  onProgress: (progress: ProjectionProgress) => void = () => {},
): Promise<UmapFit> {
  const coords = new Float32Array(2 * count);
  const rowOf = (source: ArrayLike<number>, i: number): number[] =>
    Array.from({ length: dim }, (_, k) => source[i * dim + k]!);
  if (count < 3) {
    // UMAP needs neighbours; one or two points sit at the origin side by side, and so does any new one.
    return { coords, place: (_rows, n) => new Float32Array(2 * n) };
  }
  const { UMAP } = await import('umap-js');
  const data: number[][] = [];
  for (let i = 0; i < count; i++) data.push(rowOf(rows, i));
  // One generator, reseeded before each placement.
  let random = seededRandom(seed);
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.min(15, count - 1),
    minDist: 0.1,
    random: () => random(),
  });
  onProgress({ stage: 'neighbours', done: 0, total: 0 });
  const epochs = umap.initializeFit(data);
  const every = Math.max(1, Math.floor(epochs / 50));
  for (let epoch = 0; epoch < epochs;) {
    epoch = umap.step();
    if (epoch % every === 0 || epoch === epochs)
      onProgress({ stage: 'layout', done: epoch, total: epochs });
  }
  const embedding = umap.getEmbedding();
  embedding.forEach((point, i) => {
    coords[2 * i] = point[0] ?? 0;
    coords[2 * i + 1] = point[1] ?? 0;
  });
  const place = (newRows: ArrayLike<number>, n: number): Float32Array => {
    const placed = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      random = seededRandom(seed + 1);
      // One row at a time: umap-js would move the map's own points if as many rows came as it has.
      const [point] = umap.transform([rowOf(newRows, i)]);
      placed[2 * i] = point?.[0] ?? 0;
      placed[2 * i + 1] = point?.[1] ?? 0;
    }
    return placed;
  };
  return { coords, place };
}

/** UMAP onto two axes: the points of {@link fitUmap}. */
export async function umap2(
  rows: ArrayLike<number>,
  count: number,
  dim: number,
  seed = 1,
): Promise<Float32Array> {
  return (await fitUmap(rows, count, dim, seed)).coords;
}

/**
 * Places new rows on a PCA map: centred by the fitted mean, projected on
 * the fitted axes, as the map's own rows were.
 */
export function pcaPlace(
  axes: { components: Float64Array; mean: Float64Array },
  rows: ArrayLike<number>,
  count: number,
  dim: number,
): Float32Array {
  const placed = new Float32Array(2 * count);
  for (let i = 0; i < count; i++) {
    let x = 0;
    let y = 0;
    for (let k = 0; k < dim; k++) {
      const c = rows[i * dim + k]! - axes.mean[k]!;
      x += c * axes.components[k]!;
      y += c * axes.components[dim + k]!;
    }
    placed[2 * i] = x;
    placed[2 * i + 1] = y;
  }
  return placed;
}

/** Computes a projection on the calling thread. */
export async function project(
  rows: ArrayLike<number>,
  count: number,
  dim: number,
  method: ProjectionMethod,
  seed = 1,
): Promise<Projection> {
  if (method === 'pca') {
    const result = pca2(rows, count, dim);
    return {
      method,
      count,
      coords: Float32Array.from(result.coords),
      explainedVariance: result.explainedVariance,
      axes: { components: result.components, mean: result.mean },
    };
  }
  return { method, count, coords: await umap2(rows, count, dim, seed) };
}

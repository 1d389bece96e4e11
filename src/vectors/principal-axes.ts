// The rotation behind the similarity filter: principal axes of the unit
// vectors, which put most of each vector's length in its first dimensions.

/** Rows sampled to find the principal axes. */
const AXIS_SAMPLE = 2048;

/**
 * The eigenvectors of the rows' second-moment matrix (from a sample of
 * rows, scaled by their inverse norms if given), as rows of a dim × dim matrix in order of decreasing eigenvalue:
 * an orthogonal rotation that puts the most variance first. Cyclic Jacobi
 * rotations keep it orthogonal to rounding whether or not they converge.
 * @param stride Values from one row to the next in `rows`.
 */
export function principalAxes(
  rows: Float32Array,
  size: number,
  dim: number,
  stride = dim,
  inverseNorms?: Float32Array,
): Float64Array {
  const moment = new Float64Array(dim * dim);
  const step = Math.max(1, Math.floor(size / AXIS_SAMPLE));
  const row64 = new Float64Array(dim);
  for (let row = 0; row < size; row += step) {
    const base = row * stride;
    const scale = inverseNorms ? inverseNorms[row]! : 1;
    if (!Number.isFinite(scale)) continue;
    for (let i = 0; i < dim; i++) row64[i] = rows[base + i]! * scale;
    for (let i = 0; i < dim; i++) {
      const x = row64[i]!;
      if (x === 0 || x !== x) continue;
      for (let j = i; j < dim; j++) moment[i * dim + j] = moment[i * dim + j]! + x * row64[j]!;
    }
  }
  for (let i = 0; i < dim; i++)
    for (let j = 0; j < i; j++) moment[i * dim + j] = moment[j * dim + i]!;
  const vectors = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) vectors[i * dim + i] = 1;
  const a = moment;
  // A few sweeps suffice: the axes only need to be good, and any orthogonal matrix is correct.
  for (let sweep = 0; sweep < 6; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < dim; i++) {
      for (let j = 0; j < dim; j++) {
        const v = a[i * dim + j]! ** 2;
        total += v;
        if (i !== j) off += v;
      }
    }
    if (!(off > 1e-22 * total)) break;
    for (let p = 0; p < dim; p++) {
      for (let q = p + 1; q < dim; q++) {
        const apq = a[p * dim + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * dim + q]! - a[p * dim + p]!) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < dim; k++) {
          const akp = a[k * dim + p]!;
          const akq = a[k * dim + q]!;
          a[k * dim + p] = c * akp - s * akq;
          a[k * dim + q] = s * akp + c * akq;
        }
        for (let k = 0; k < dim; k++) {
          const apk = a[p * dim + k]!;
          const aqk = a[q * dim + k]!;
          a[p * dim + k] = c * apk - s * aqk;
          a[q * dim + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < dim; k++) {
          const vkp = vectors[k * dim + p]!;
          const vkq = vectors[k * dim + q]!;
          vectors[k * dim + p] = c * vkp - s * vkq;
          vectors[k * dim + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  // Column j of `vectors` is the eigenvector of eigenvalue a[j][j].
  const order = Array.from({ length: dim }, (_, j) => j).sort(
    (x, y) => a[y * dim + y]! - a[x * dim + x]!,
  );
  const axes = new Float64Array(dim * dim);
  order.forEach((column, j) => {
    for (let k = 0; k < dim; k++) axes[j * dim + k] = vectors[k * dim + column]!;
  });
  return axes;
}

/** ‖A Aᵀ − I‖ (Frobenius) of the axes (rows of A): how much the rotation can change a dot product of unit vectors. */
export function orthogonalityError(axes: Float64Array, dim: number): number {
  let squares = 0;
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += axes[i * dim + k]! * axes[j * dim + k]!;
      const e = dot - (i === j ? 1 : 0);
      squares += (i === j ? 1 : 2) * e * e;
    }
  }
  // Rounding in this very computation is far below what it measures; double it anyway.
  return 2 * Math.sqrt(squares) + 1e-12;
}

// Arithmetic of the kernels: SIMD operations on rows of `rowBytes`, and exp
// and log to double precision.

import { rowBytes } from './kernel-state';

@inline export function dot(a: usize, b: usize): f32 {
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
@inline export function axpy(g: f32, x: usize, y: usize): void {
  const gv = f32x4.splat(g);
  for (let i: usize = 0; i < rowBytes; i += 16) {
    v128.store(y + i, f32x4.add(v128.load(y + i), f32x4.mul(gv, v128.load(x + i))));
  }
}

@inline export function zero(y: usize): void {
  const z = f32x4.splat(0);
  for (let i: usize = 0; i < rowBytes; i += 16) v128.store(y + i, z);
}

// exp and log of our own: the standard library's keep tables in static data,
// which would be written into the shared memory at instantiation.

/** e^x to double precision: x = k ln 2 + r, |r| <= ln 2 / 2, Taylor series for e^r, 2^k by exponent bits. */
@inline export function exp64(x: f64): f64 {
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
@inline export function log64(x: f64): f64 {
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

// Python's order of strings, for answers that follow gensim's sorting.

/** Orders strings by Unicode code points, as Python compares str (JavaScript's < compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const x = a[Symbol.iterator]();
  const y = b[Symbol.iterator]();
  for (;;) {
    const p = x.next();
    const q = y.next();
    if (p.done || q.done) return p.done ? (q.done ? 0 : -1) : 1;
    const difference = p.value.codePointAt(0)! - q.value.codePointAt(0)!;
    if (difference !== 0) return difference;
  }
}

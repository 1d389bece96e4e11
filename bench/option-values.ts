// Checks of a benchmark's command-line values, shared by the benchmarks.

/** `values[name]` as a positive integer; otherwise says which option is wrong and exits with 2. */
export function positiveInteger<T extends Record<string, unknown>>(
  values: T,
  name: keyof T & string,
): number {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} must be a positive integer, got '${String(values[name])}'`);
    process.exit(2);
  }
  return value;
}

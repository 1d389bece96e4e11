/**
 * Float32 values as text: the shortest decimal that parses back to the same
 * float32 (so text files round-trip exactly), decimals read as C's strtod
 * reads them, and the white space that separates values.
 */

/**
 * The shortest decimal that parses back to the same float32, so text files
 * round-trip exactly. Non-finite values are written as `nan`, `inf`, `-inf`
 * (as C's printf and numpy do).
 * @example
 * formatFloat32(Math.fround(0.1)); // '0.1'
 */
export function formatFloat32(value: number): string {
  const f = Math.fround(value);
  if (f !== f) return 'nan';
  if (f === Infinity) return 'inf';
  if (f === -Infinity) return '-inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const magnitude = Math.abs(f);
  const digits =
    magnitude >= 1e-4 && magnitude < 10 ? shortestFixed(magnitude) : shortestByPrecision(magnitude);
  return f < 0 ? `-${digits}` : digits;
}

const POWERS_OF_TEN = Array.from({ length: 13 }, (_, j) => 10 ** j);

/**
 * Fast path of {@link formatFloat32} for 1e-4 <= magnitude < 10, where up to
 * 12 decimals suffice: `magnitude * 10^j` is then exact in a double (24-bit
 * mantissa times 5^12 < 2^53), so rounding it is exactly what toPrecision
 * does, and `n / 10^j` is exactly what parsing the decimal string gives.
 */
function shortestFixed(magnitude: number): string {
  const j = shortestDecimals(magnitude);
  const n = Math.round(magnitude * POWERS_OF_TEN[j]!);
  if (j === 0) return String(n);
  // n has no trailing zero: with one, j - 1 decimals would have round-tripped.
  const padded = String(n).padStart(j + 1, '0');
  const integerDigits = padded.length - j;
  return `${padded.slice(0, integerDigits)}.${padded.slice(integerDigits)}`;
}

/** The fewest decimals j for which `magnitude` (in 1e-4..10) rounded to j decimals round-trips. */
function shortestDecimals(magnitude: number): number {
  const roundTrips = (j: number): boolean =>
    Math.fround(Math.round(magnitude * POWERS_OF_TEN[j]!) / POWERS_OF_TEN[j]!) === magnitude;
  // Fewer decimals never round-trip when more do not, so search from a likely
  // guess (8 significant digits, the commonest) in the direction needed.
  let j = Math.min(12, Math.max(0, 7 - Math.floor(Math.log10(magnitude))));
  if (roundTrips(j)) {
    while (j > 0 && roundTrips(j - 1)) j--;
  } else {
    do j++;
    while (j < 12 && !roundTrips(j));
  }
  return j;
}

/** Longest text {@link formatFloat32} writes: '-' and 21 digits, e.g. for -1.2345679e20 (JavaScript writes it out in full). */
export const MAX_FLOAT_TEXT_BYTES = 22;

/**
 * Writes {@link formatFloat32}(value) into `buffer` at `at` as ASCII and
 * returns the offset after it. The common magnitudes get their digits
 * written directly, without building a string.
 */
export function writeFloat32Text(buffer: Buffer, at: number, value: number): number {
  const f = Math.fround(value);
  const magnitude = Math.abs(f);
  if (!(magnitude >= 1e-4 && magnitude < 10))
    return at + buffer.write(formatFloat32(f), at, 'latin1');
  if (f < 0) buffer[at++] = 0x2d;
  const j = shortestDecimals(magnitude);
  const scale = POWERS_OF_TEN[j]!;
  const n = Math.round(magnitude * scale);
  let integerPart = Math.floor(n / scale);
  if (integerPart * scale > n) integerPart--;
  let fraction = n - integerPart * scale;
  if (integerPart >= 10) buffer[at++] = 0x30 + Math.floor(integerPart / 10);
  buffer[at++] = 0x30 + (integerPart % 10);
  if (j === 0) return at;
  buffer[at++] = 0x2e;
  for (let d = j - 1; d >= 0; d--) {
    buffer[at + d] = 0x30 + (fraction % 10);
    fraction = Math.floor(fraction / 10);
  }
  return at + j;
}

/**
 * The general path of {@link formatFloat32}: the fewest significant digits
 * whose toPrecision round-trips, in JavaScript's shortest notation.
 */
function shortestByPrecision(magnitude: number): string {
  // Round-tripping is monotone in the number of digits (rounding to p+1 digits
  // is never further off than to p), so binary search over 1..9 digits.
  let low = 1;
  let high = 9;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (Math.fround(Number(magnitude.toPrecision(middle))) === magnitude) high = middle;
    else low = middle + 1;
  }
  const shortest = Number(magnitude.toPrecision(low));
  // Normalises toPrecision's '1.50e+2' / trailing zeros to JavaScript's shortest form.
  return Math.fround(shortest) === magnitude ? String(shortest) : String(magnitude);
}

/** NaN as printf writes it: a NaN parsed from any other text means the text is not a number. */
export const NOT_A_NUMBER = /^[+-]?nan$/i;
const INFINITE = /^[+-]?inf(?:inity)?$/i;

/** A decimal as C's strtod reads it, including `nan` and `inf` as printf writes them; NaN if not a number. */
export function parseValue(token: string): number {
  const value = Number(token);
  if (value === value) return value;
  if (INFINITE.test(token)) return token.startsWith('-') ? -Infinity : Infinity;
  return NaN;
}

const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** What a scan reads past the end of its bytes: a space, so that the end ends the value. */
const AT_END = 0x20;

/**
 * Reads the values of text records in one pass over their bytes: each value
 * is parsed as it is scanned, up to the white space that ends it.
 */
export class DecimalScanner {
  /** Index after the value the last {@link scan} read, when it returned a number. */
  end = 0;

  /**
   * The value starting at `bytes[start]` and ending at the first white space
   * or at `limit`, if it is `[-]digits[.digits][e[+-]digits]` with at most 15
   * digits and a decimal exponent within ±22. Such a value is parsed exactly
   * (Clinger's fast path: an exact integer times or divided by an exact power
   * of ten is one correctly rounded operation, so this equals
   * `Number(text)`). NaN for anything else, which the caller hands to
   * {@link parseValue}.
   */
  scan(bytes: Buffer, start: number, limit: number): number {
    let i = start;
    let byte = i < limit ? bytes[i]! : AT_END;
    const negative = byte === 0x2d;
    if (negative) byte = ++i < limit ? bytes[i]! : AT_END;
    let mantissa = 0;
    let digits = 0;
    while (byte >= 0x30 && byte <= 0x39) {
      mantissa = mantissa * 10 + (byte - 0x30);
      digits++;
      byte = ++i < limit ? bytes[i]! : AT_END;
    }
    let fractionDigits = 0;
    if (byte === 0x2e) {
      byte = ++i < limit ? bytes[i]! : AT_END;
      while (byte >= 0x30 && byte <= 0x39) {
        mantissa = mantissa * 10 + (byte - 0x30);
        fractionDigits++;
        byte = ++i < limit ? bytes[i]! : AT_END;
      }
      digits += fractionDigits;
    }
    if (digits === 0 || digits > 15) return NaN;
    let exponent = 0;
    if (byte === 0x65 || byte === 0x45) {
      byte = ++i < limit ? bytes[i]! : AT_END;
      const negativeExponent = byte === 0x2d;
      if (negativeExponent || byte === 0x2b) byte = ++i < limit ? bytes[i]! : AT_END;
      const exponentStart = i;
      while (byte >= 0x30 && byte <= 0x39 && i - exponentStart < 4) {
        exponent = exponent * 10 + (byte - 0x30);
        byte = ++i < limit ? bytes[i]! : AT_END;
      }
      if (i === exponentStart) return NaN;
      if (negativeExponent) exponent = -exponent;
    }
    if (!isWhiteSpace(byte)) return NaN;
    const scale = exponent - fractionDigits;
    let value: number;
    if (scale === 0) value = mantissa;
    else if (scale < 0 && scale >= -22) value = mantissa / EXACT_POWERS_OF_TEN[-scale]!;
    else if (scale > 0 && scale <= 22) value = mantissa * EXACT_POWERS_OF_TEN[scale]!;
    else return NaN;
    this.end = i;
    return negative ? -value : value;
  }
}

/** The text format's separators, and what may follow the last binary vector. */
export function isWhiteSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a;
}

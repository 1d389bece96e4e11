/**
 * The files' numbers are little-endian: on a little-endian machine (nearly
 * all) typed arrays are copied as they are, elsewhere byte by byte.
 */
import { endianness } from 'node:os';

/** Whether this machine stores numbers little-endian, as the files do. */
export const LITTLE_ENDIAN = endianness() === 'LE';

type NumberArray = Uint32Array | Float32Array | Float64Array;

/** The little-endian bytes of a typed array: a view on little-endian machines, a swapped copy otherwise. */
export function littleEndianBytes(array: NumberArray): Uint8Array {
  const view = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  if (LITTLE_ENDIAN) return view;
  const width = array.BYTES_PER_ELEMENT;
  const swapped = new Uint8Array(view.length);
  for (let i = 0; i < view.length; i += width)
    for (let b = 0; b < width; b++) swapped[i + b] = view[i + width - 1 - b]!;
  return swapped;
}

/** A typed array over little-endian bytes (which the caller owns, aligned to the element size). */
export function fromLittleEndian<T extends NumberArray>(
  bytes: Uint8Array,
  type: { new (buffer: ArrayBuffer, offset: number, length: number): T; BYTES_PER_ELEMENT: number },
): T {
  const width = type.BYTES_PER_ELEMENT;
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
  }
  return new type(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.length / width);
}

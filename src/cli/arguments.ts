import { InvalidArgumentError } from 'commander';

/** Strict integer: "1.5", "1e3", "abc" and "" are rejected, not truncated. */
export function parseInteger(text: string): number {
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) throw new InvalidArgumentError('Expected an integer.');
  const value = Number(trimmed);
  if (!Number.isSafeInteger(value)) throw new InvalidArgumentError('Integer is too large.');
  return value;
}

/** Strict decimal number ("0.025", "1e-3"); rejects hex, "Infinity" and trailing junk that Number() would accept. */
export function parseNumber(text: string): number {
  const trimmed = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed))
    throw new InvalidArgumentError('Expected a number.');
  return Number(trimmed);
}

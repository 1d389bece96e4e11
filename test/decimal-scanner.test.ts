import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecimalScanner, parseValue } from '../src/io/float-text.js';
import { seededRandom } from '../src/sampling/random.js';

/** Scans `token` followed by `after`: the value, or NaN, and where the scan ended. */
function scan(token: string, after = ' '): { value: number; end: number } {
  const bytes = Buffer.from(token + after, 'latin1');
  const scanner = new DecimalScanner();
  const value = scanner.scan(bytes, 0, after === '' ? token.length : bytes.length);
  return { value, end: scanner.end };
}

test('the scan gives exactly Number(text) for the decimals it takes, and ends at the white space', () => {
  const tokens = [
    '0',
    '-0',
    '1',
    '-1',
    '1.',
    '.5',
    '-.5',
    '0.1',
    '-0.41242',
    '123456789012345',
    '0.00000000000001',
    '1e5',
    '1E5',
    '1e+05',
    '1e-5',
    '-2.5e-3',
    '9.999999e22',
    '1e22',
    '1e-22',
    '0.1e-7',
    '3.4028235e38',
    '1.17549435e-38',
    '0.30000001192092896',
  ];
  for (const token of tokens) {
    for (const after of [' ', '\t', '\r', '\n', '']) {
      const { value, end } = scan(token, after);
      if (
        token === '3.4028235e38' ||
        token === '1.17549435e-38' ||
        token === '0.30000001192092896'
      ) {
        // Exponent or digits beyond the fast path: left to the general parser.
        assert.ok(Number.isNaN(value), token);
        assert.equal(parseValue(token), Number(token));
        continue;
      }
      assert.ok(Object.is(value, Number(token)), `${token}: ${value} !== ${Number(token)}`);
      assert.equal(end, token.length, token);
    }
  }
});

test('the scan leaves what is not a short decimal to the general parser', () => {
  for (const token of [
    '',
    '-',
    '.',
    'e5',
    '1e',
    '1e+',
    '1.5x',
    '+1',
    '1..2',
    '1e5.5',
    '1e12345',
    'nan',
    'inf',
    '1,5',
    '0x10',
    '1234567890123456',
  ]) {
    assert.ok(Number.isNaN(scan(token).value), JSON.stringify(token));
  }
});

test('random decimals of up to 15 digits scan as Number parses them', () => {
  const random = seededRandom(3);
  for (let i = 0; i < 20000; i++) {
    const digits = 1 + Math.floor(random() * 15);
    let mantissa = '';
    for (let d = 0; d < digits; d++) mantissa += Math.floor(random() * 10);
    const point = Math.floor(random() * (digits + 1));
    let token = `${mantissa.slice(0, point)}.${mantissa.slice(point)}`;
    if (random() < 0.3) token += `e${Math.floor(random() * 30) - 15}`;
    if (random() < 0.5) token = `-${token}`;
    const { value } = scan(token);
    if (Number.isNaN(value)) continue; // beyond the fast path's exponent range
    assert.ok(Object.is(value, Number(token)), `${token}: ${value} !== ${Number(token)}`);
  }
});

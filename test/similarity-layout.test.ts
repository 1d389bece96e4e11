// The layout the scorer and the similarity kernel share (assembly/similarity-layout.ts):
// consistent with itself and with the kernel's build configuration.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as layout from '../assembly/similarity-layout.js';

const ASCONFIG = new URL('../../assembly/similarity.asconfig.json', import.meta.url);

test('the kernel is built with its static data where the layout puts it', () => {
  const config = JSON.parse(readFileSync(ASCONFIG, 'utf8')) as { options: { memoryBase: number } };
  assert.equal(config.options.memoryBase, layout.MEMORY_BASE);
  assert.equal(layout.FIRST_OFFSET, layout.MEMORY_BASE + layout.COMPACT_LANES_BYTES);
  assert.equal(layout.FIRST_OFFSET % 16, 0);
  // One row of 8 i32 per 8-bit mask.
  assert.equal(layout.COMPACT_LANES_BYTES, 256 * 8 * 4);
});

test('the prefix copy holds its dimensions, then two values, and a query splats each pair', () => {
  assert.equal(layout.PREFIX_VALUES, layout.PREFIX_DIMS + 2);
  assert.equal(layout.PREFIX_DIMS % 2, 0);
  assert.equal(layout.PREFIX_QUERY_BYTES, (layout.PREFIX_VALUES / 2) * 16);
  assert.ok(2 * layout.SCALE * layout.SCALE < 2 ** 31);
});

test('the per-query parameters lie apart, each aligned to its size, within PARAM_BYTES', () => {
  const fields: Array<[number, number]> = [
    [layout.PARAM_LIMIT, 4],
    [layout.PARAM_END, 4],
    [layout.PARAM_THRESHOLD, 4],
    [layout.PARAM_ERROR, 4],
    [layout.PARAM_PREFIX_ERROR, 8],
    [layout.PARAM_HEAP, 4],
    [layout.PARAM_EXCLUDED, 4],
    [layout.PARAM_HEAD_REST, 4],
  ];
  const taken = new Set<number>();
  for (const [offset, bytes] of fields) {
    assert.equal(offset % bytes, 0, `field at ${offset}`);
    assert.ok(offset + bytes <= layout.PARAM_BYTES, `field at ${offset}`);
    for (let at = offset; at < offset + bytes; at++) {
      assert.ok(!taken.has(at), `byte ${at} is in two fields`);
      taken.add(at);
    }
  }
  assert.equal(layout.PARAM_BYTES % 8, 0); // so that every query's f64 stays aligned
});

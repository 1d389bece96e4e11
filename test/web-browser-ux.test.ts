// The explorer page in Chromium, as a new user meets it: the completion list
// never takes a click meant for the next field, the map places and
// highlights the searched and the analogy's words wherever they are, UMAP
// shows its progress while the page stays usable, the map's size limit is
// told in the page's words, the suggestions' rank says what it is, and the
// loss chart stays legible on a narrow window.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { Random } from '../src/sampling/random.js';
import { openExplorer, type Browser, type OpenExplorer } from './browser.js';
import { chromiumSkip } from './peers.js';
import { startServe, type ServeProcess, type WebFixture } from './web-fixture.js';

const skip = chromiumSkip();

/** Waits until the map canvas has this data attribute (camelCase name) set to `value`. */
async function mapData(page: Page, name: string, value: string): Promise<void> {
  await page.waitForFunction(
    ([n, v]) => document.querySelector<HTMLCanvasElement>('#map')?.dataset[n!] === v,
    [name, value],
  );
}

/** Every text the map's status line shows from now on, collected in the page. */
async function recordMapStatus(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { mapStatusSeen: string[] }).mapStatusSeen = seen;
    const status = document.querySelector('#map-status')!;
    new MutationObserver(() => seen.push(status.textContent ?? '')).observe(status, {
      childList: true,
      characterData: true,
      subtree: true,
    });
  });
  return () =>
    page.evaluate(() => (window as unknown as { mapStatusSeen: string[] }).mapStatusSeen);
}

const suggestions = (page: Page, field: string): ReturnType<Page['locator']> =>
  page.locator(`${field} ~ .suggestions`);

describe('the explorer page, as a new user meets it', { skip, timeout: 180_000 }, () => {
  let explorer: OpenExplorer | undefined;
  let fixture: WebFixture;
  let server: ServeProcess;
  let browser: Browser;
  let page: Page;

  before(async () => {
    explorer = await openExplorer();
    ({ fixture, server, browser, page } = explorer);
    await mapData(page, 'points', '84');
  });

  after(() => explorer?.close());

  test('the completion list closes on a whole word, on Escape and on leaving the field, and takes no click meant elsewhere', async () => {
    const a = '#analogy-a';
    await page.click(a);
    await page.keyboard.type('topic0wo', { delay: 20 });
    await suggestions(page, a).waitFor({ state: 'visible' });
    await page.keyboard.press('Escape');
    await suggestions(page, a).waitFor({ state: 'hidden' });
    // Typing on opens it again; the whole word closes it.
    await page.keyboard.type('r', { delay: 20 });
    await suggestions(page, a).waitFor({ state: 'visible' });
    await page.keyboard.type('d0', { delay: 20 });
    await suggestions(page, a).waitFor({ state: 'hidden' });
    assert.equal(await page.inputValue(a), 'topic0word0');
    // ArrowDown opens it again; Escape closes it.
    await page.keyboard.press('ArrowDown');
    await suggestions(page, a)
      .getByRole('option', { name: /^topic0word0/ })
      .waitFor();
    await page.keyboard.press('Escape');
    await suggestions(page, a).waitFor({ state: 'hidden' });

    // Tab to the next field with the list open: nothing is picked.
    await page.click('#analogy-b');
    await page.keyboard.type('topic0wo', { delay: 20 });
    await suggestions(page, '#analogy-b').waitFor({ state: 'visible' });
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'analogy-c');
    assert.equal(await page.inputValue('#analogy-b'), 'topic0wo');
    assert.equal(await suggestions(page, '#analogy-b').isHidden(), true);

    // An ordinary click on the next field with the list open lands on the field, not on a suggestion.
    await page.click('#analogy-b');
    await page.keyboard.press('End');
    await page.keyboard.type('r', { delay: 20 });
    await suggestions(page, '#analogy-b').waitFor({ state: 'visible' });
    await page.click('#analogy-c', { timeout: 3000 });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'analogy-c');
    assert.equal(await page.inputValue('#analogy-b'), 'topic0wor');
    assert.equal(await suggestions(page, '#analogy-b').isHidden(), true);

    await page.fill('#analogy-b', '');
    await page.click('#analogy-b');
    await page.keyboard.type('topic0word1', { delay: 20 });
    await page.click('#analogy-c');
    await page.keyboard.type('topic6word2', { delay: 20 });
    // One ordinary click on Solve solves it.
    await page.click('#analogy-form button', { timeout: 3000 });
    await page.waitForSelector('#analogy-results li');
    assert.match(
      (await page.textContent('#analogy-status')) ?? '',
      /^topic0word0 : topic0word1 = topic6word2 : topic6word/,
    );
  });

  test('each suggestion says its rank is the word’s frequency rank', async () => {
    await page.click('#search');
    await page.keyboard.type('topic3wo', { delay: 20 });
    await suggestions(page, '#search').waitFor({ state: 'visible' });
    const shown = await page.$$eval('#search-panel [role="option"]', (items) =>
      items.map((li) => [...li.querySelectorAll('span')].map((s) => s.textContent ?? '')),
    );
    const reply = (await (
      await fetch(`${server.url}api/complete?prefix=topic3wo&limit=8`)
    ).json()) as { words: Array<{ word: string; rank: number }> };
    const ordinal = (n: number): string =>
      `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')}`;
    assert.deepEqual(
      shown,
      reply.words.map((w) => [w.word, `${ordinal(w.rank + 1)} most frequent`]),
    );
    await page.keyboard.press('Escape');
  });

  test('the map places and highlights the searched word, its neighbours and the analogy beyond its words', async () => {
    for (const method of ['pca', 'umap'] as const) {
      await page.selectOption('#map-method', method);
      await page.fill('#map-n', '20');
      await page.click('#map-form button[type="submit"]');
      await mapData(page, 'points', '20');
      await mapData(page, 'state', 'drawn');
      // The analogy solved above: its 3 words and 10 answers, all beyond the 20 most frequent.
      await mapData(page, 'highlightedAnalogy', '13');
      await page.fill('#search', 'topic7word5');
      await page.press('#search', 'Enter');
      await page.waitForSelector('#neighbours[data-word="topic7word5"] li');
      await mapData(page, 'highlightedSearch', '11');
      const placed = Number(await page.$eval('#map', (c) => (c as HTMLElement).dataset.placed));
      assert.ok(placed >= 11, `${placed} words placed on a map of 20`);
      assert.match(
        (await page.textContent('#map-status')) ?? '',
        new RegExp(
          `^20 most frequent words, ${method.toUpperCase()}.* · 24 of 24 highlighted words on the map, ${placed} of them placed beyond the 20 most frequent$`,
        ),
      );
    }
  });

  test('UMAP shows its epochs while it projects; a map too large is refused in the page’s words', async () => {
    const seen = await recordMapStatus(page);
    await page.fill('#map-n', '84');
    await page.click('#map-form button[type="submit"]');
    await mapData(page, 'points', '84');
    await mapData(page, 'state', 'drawn');
    const texts = await seen();
    assert.ok(
      texts.some((t) => /^Projecting 84 words with UMAP: epoch \d+ of 500 \(\d+%\)/.test(t)),
      texts.join('\n'),
    );

    await page.fill('#map-n', '6000');
    await page.click('#map-form button[type="submit"]');
    await page.waitForSelector('#map-status.error');
    assert.match(
      (await page.textContent('#map-status')) ?? '',
      /^The map can show at most 5,000 words with UMAP \(PCA draws up to 20,000, and quickly\); asked for 6,000\./,
    );
    assert.equal(await page.$eval('#map', (c) => (c as HTMLElement).dataset.points), '84');
    assert.deepEqual(browser.problems, []);
  });

  test('the page stays usable while a large UMAP map is computed', async () => {
    // 300 random vectors: UMAP takes a second or more, a search milliseconds.
    const random = new Random(3);
    const dim = 16;
    const lines = [`300 ${dim}`];
    for (let i = 0; i < 300; i++)
      lines.push(
        [`w${i}`, ...Array.from({ length: dim }, () => (random.next() - 0.5).toFixed(4))].join(' '),
      );
    const path = join(fixture.dir, 'random.txt');
    await writeFile(path, lines.join('\n') + '\n');
    const other = await startServe([path]);
    const second = await browser.context.newPage();
    try {
      await second.goto(other.url);
      await second.waitForSelector('body[data-ready="true"]');
      await mapData(second, 'state', 'drawn');
      await second.selectOption('#map-method', 'umap');
      await second.fill('#map-n', '300');
      await second.click('#map-form button[type="submit"]');
      await second.waitForFunction(() =>
        /epoch \d+ of 500/.test(document.querySelector('#map-status')?.textContent ?? ''),
      );
      // Meanwhile: a search, answered while the map is still being laid out.
      await second.fill('#search', 'w42');
      await second.click('#search-form button[type="submit"]');
      await second.waitForSelector('#neighbours[data-word="w42"] li');
      assert.equal(
        await second.$eval('#map', (c) => (c as HTMLElement).dataset.state),
        'projecting',
      );
      await mapData(second, 'state', 'drawn');
      await mapData(second, 'points', '300');
      await mapData(second, 'highlightedSearch', '11');
    } finally {
      await second.close();
      await other.stop();
    }
  });

  test('on a 420 px wide window the loss chart’s text keeps its size', async () => {
    const narrow = await browser.context.newPage();
    try {
      await narrow.setViewportSize({ width: 420, height: 900 });
      await narrow.goto(server.url);
      await narrow.waitForSelector('body[data-ready="true"]');
      await narrow.waitForFunction(() => {
        const image = document.querySelector<HTMLImageElement>('#loss-chart');
        return image !== null && image.complete && image.naturalWidth > 0;
      });
      const shown = await narrow.$eval('#loss-chart', (image) => {
        const box = (image as HTMLImageElement).getBoundingClientRect();
        const img = image as HTMLImageElement;
        return {
          width: box.width,
          right: box.right,
          natural: img.naturalWidth,
          height: img.height,
        };
      });
      // The SVG the page shows (the policy keeps the page from reading its blob), as the server drew it.
      const svg = await (
        await fetch(`${server.url}api/loss.svg?width=${shown.natural}&height=${shown.height}`)
      ).text();
      const sizes = [...svg.matchAll(/<text[^>]*?(?: font-size="([\d.]+)")?[^>]*>/g)].map((m) =>
        Number(m[1] ?? /<svg[^>]* font-size="([\d.]+)"/.exec(svg)![1]),
      );
      const ticks = [
        ...svg.matchAll(
          /<text x="([\d.]+)" y="[\d.]+" text-anchor="middle"[^>]*>([\d.]+[kMG]?)<\/text>/g,
        ),
      ].map((m) => Number(m[1]));
      const chart = {
        drawnWidth: Number(/<svg[^>]* width="(\d+)"/.exec(svg)![1]),
        shownWidth: shown.width,
        right: shown.right,
        smallest: Math.min(...sizes),
        axis: Number(/<svg[^>]* font-size="([\d.]+)"/.exec(svg)![1]),
        ticks,
      };
      const scale = chart.shownWidth / chart.drawnWidth;
      assert.ok(chart.right <= 420, `the chart fits the window (right edge ${chart.right})`);
      assert.ok(
        chart.axis * scale >= 11.5 && chart.smallest * scale >= 9.5,
        `axis text ${(chart.axis * scale).toFixed(1)} px, smallest ${(chart.smallest * scale).toFixed(1)} px on screen`,
      );
      const gaps = chart.ticks.slice(1).map((x, i) => (x - chart.ticks[i]!) * scale);
      assert.ok(
        gaps.length >= 1 && Math.min(...gaps) >= 45,
        `tick labels ${gaps.join(', ')} px apart`,
      );
    } finally {
      await narrow.close();
    }
  });
});

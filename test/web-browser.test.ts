// End to end in a real browser: `w2v serve` on a model trained here, driven
// through the page in headless Chromium (Debian's chromium, via playwright-core).
// The screenshot lands in test-artifacts/ at the repository root.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { openExplorer, type Browser, type OpenExplorer } from './browser.js';
import { parseProgressLog } from '../src/io/progress-log.js';
import { chromiumSkip } from './peers.js';
import type { WebFixture } from './web-fixture.js';

// dist/test/ → repository root
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const skip = chromiumSkip();
if (skip) process.stderr.write(`web-browser tests skipped: ${skip}\n`);

describe('the explorer page in Chromium', { skip, timeout: 180_000 }, () => {
  let explorer: OpenExplorer | undefined;
  let fixture: WebFixture;
  let browser: Browser;
  let page: Page;

  before(async () => {
    explorer = await openExplorer();
    ({ fixture, browser, page } = explorer);
  });

  after(() => explorer?.close());

  test('shows the model facts', async () => {
    assert.equal(await page.textContent('#fact-file'), 'model.bin');
    assert.equal(await page.textContent('#fact-words'), '84');
    assert.equal(await page.textContent('#fact-dim'), '24');
  });

  test('completes a typed word from the vocabulary and shows its planted neighbours', async () => {
    await page.click('#search');
    await page.keyboard.type('topic3wo');
    const options = page.locator('#search-panel [role="option"]');
    await options.first().waitFor();
    const suggestions = await page.$$eval(
      '#search-panel [role="option"] span:first-child',
      (spans) => spans.map((s) => s.textContent ?? ''),
    );
    assert.ok(suggestions.length > 0 && suggestions.length <= 8);
    assert.ok(
      suggestions.every((s) => s.startsWith('topic3wo')),
      suggestions.join(', '),
    );
    // Pick one with the keyboard.
    const target = suggestions[0]!;
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForSelector(`#neighbours[data-word="${target}"] li`);
    assert.equal(await page.inputValue('#search'), target);
    const neighbours = await page.$$eval('#neighbours li', (items) =>
      items.map((li) => ({
        word: li.getAttribute('data-word') ?? '',
        similarity: Number(li.querySelector('.similarity')?.textContent),
      })),
    );
    assert.equal(neighbours.length, 10);
    assert.ok(
      neighbours.slice(0, 5).every((n) => fixture.topicOf(n.word) === 3),
      `the 5 nearest should be topic 3 words: ${neighbours.map((n) => n.word).join(', ')}`,
    );
    const scores = neighbours.map((n) => n.similarity);
    assert.ok(scores.every((s) => s > -1 && s <= 1));
    assert.deepEqual(
      scores,
      [...scores].sort((x, y) => y - x),
      'best first',
    );
  });

  test('clicking a neighbour searches for it', async () => {
    const second = page.locator('#neighbours li .word').nth(1);
    const word = (await second.textContent()) ?? '';
    await second.click();
    await page.waitForSelector(`#neighbours[data-word="${word}"]`);
    assert.match(
      (await page.textContent('#search-status')) ?? '',
      new RegExp(`nearest to '${word}'`),
    );
  });

  test('an unknown word shows a clear message', async () => {
    await page.fill('#search', 'nosuchword');
    await page.click('#search-form button[type="submit"]');
    await page.waitForSelector('#search-status.error');
    assert.match(
      (await page.textContent('#search-status')) ?? '',
      /word 'nosuchword' is not in the vocabulary/,
    );
    assert.equal(await page.locator('#neighbours li').count(), 0);
  });

  test('solves an analogy typed and clicked as a person would', async () => {
    for (const [field, word] of [
      ['#analogy-a', 'topic0word0'],
      ['#analogy-b', 'topic0word1'],
      ['#analogy-c', 'topic6word2'],
    ] as const) {
      await page.click(field);
      await page.keyboard.type(word, { delay: 20 });
    }
    // One ordinary click solves it: no suggestion lies over the button.
    await page.click('#analogy-form button', { timeout: 3000 });
    await page.waitForSelector('#analogy-results li');
    const answers = await page.$$eval('#analogy-results li', (items) =>
      items.map((li) => li.getAttribute('data-word') ?? ''),
    );
    assert.equal(answers.length, 10);
    assert.equal(fixture.topicOf(answers[0]!), 6, `answers: ${answers.join(', ')}`);
    assert.ok(!answers.some((w) => ['topic0word0', 'topic0word1', 'topic6word2'].includes(w)));
    assert.match(
      (await page.textContent('#analogy-status')) ?? '',
      /^topic0word0 : topic0word1 = topic6word2 : /,
    );
  });

  test('the map draws every word by default and highlights the searched word and its neighbours', async () => {
    await page.fill('#search', 'topic5word4');
    await page.press('#search', 'Enter');
    await page.waitForSelector('#neighbours[data-word="topic5word4"] li');
    await page.waitForFunction(
      () => document.querySelector<HTMLCanvasElement>('#map')?.dataset.highlightedSearch === '11',
    );
    const map = await page.$eval('#map', (canvas) => {
      const c = canvas as HTMLCanvasElement;
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let inked = 0;
      for (let i = 0; i < data.length; i += 4)
        if (data[i]! < 250 || data[i + 1]! < 250 || data[i + 2]! < 250) inked++;
      return { points: c.dataset.points, visible: c.dataset.visible, inked };
    });
    assert.equal(map.points, '84');
    assert.equal(map.visible, '84', 'a fitted map shows every point');
    assert.ok(map.inked > 500, `the canvas is drawn on (${map.inked} inked pixels)`);
    assert.match((await page.textContent('#map-status')) ?? '', /84 most frequent words, PCA/);
  });

  test('the number of words on the map can be changed, and the map zooms', async () => {
    await page.fill('#map-n', '50');
    await page.click('#map-form button[type="submit"]');
    await page.waitForFunction(
      () => document.querySelector<HTMLCanvasElement>('#map')?.dataset.points === '50',
    );
    assert.match((await page.textContent('#map-status')) ?? '', /^50 most frequent words, PCA/);
    // Zoom in on the centre: fewer points stay in view; double-click fits them all again.
    const box = (await page.locator('#map').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -400);
    await page.waitForFunction(
      () => Number(document.querySelector<HTMLCanvasElement>('#map')?.dataset.visible) < 50,
    );
    await page.dblclick('#map');
    await page.waitForFunction(
      () => document.querySelector<HTMLCanvasElement>('#map')?.dataset.visible === '50',
    );
  });

  test('shows the loss curve of the training log', async () => {
    await page.waitForFunction(() => {
      const image = document.querySelector<HTMLImageElement>('#loss-chart');
      return image !== null && image.complete && image.naturalWidth > 0;
    });
    assert.equal(await page.isVisible('#loss-panel'), true);
    // The run's loss under the name and with the digits of the summary and the progress bar.
    const epochLoss = parseProgressLog(await readFile(fixture.log, 'utf8')).at(-1)!.epochLoss!;
    assert.match(
      (await page.textContent('#loss-status')) ?? '',
      new RegExp(
        `^Finished: epoch 5/5, 100\\.0% of 150,000 words, epoch loss ${epochLoss.toFixed(4)}, learning rate`,
      ),
    );
  });

  test('leaves a screenshot and no errors', async () => {
    // Back to the full map with a highlighted search, for the picture.
    await page.fill('#map-n', '84');
    await page.click('#map-form button[type="submit"]');
    await page.waitForFunction(
      () => document.querySelector<HTMLCanvasElement>('#map')?.dataset.points === '84',
    );
    await mkdir(ARTIFACTS, { recursive: true });
    const path = join(ARTIFACTS, 'web-explorer.png');
    await page.screenshot({ path, fullPage: true });
    assert.ok(existsSync(path));
    assert.deepEqual(browser.problems, []);
  });
});

// Headless Chromium (Debian's chromium, via playwright-core) for the
// explorer's browser tests: one persistent context in a temporary profile.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM } from './peers.js';
import { startServe, trainWebFixture, type ServeProcess, type WebFixture } from './web-fixture.js';

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Page errors and console errors seen so far (404s of deliberate unknown words aside). */
  problems: string[];
  close(): Promise<void>;
}

/** Starts Chromium with a window of `width` × `height` and opens one page. */
export async function launchBrowser(width = 1280, height = 1100): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'w2v-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width, height },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 404/.test(message.text()))
      problems.push(`console: ${message.text()}`);
  });
  return {
    context,
    page,
    problems,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** The explorer serving the web fixture's model, open in Chromium and ready. */
export interface OpenExplorer {
  fixture: WebFixture;
  server: ServeProcess;
  browser: Browser;
  page: Page;
  /** Closes the browser, stops the server and removes the fixture. */
  close(): Promise<void>;
}

/** Trains the web fixture, serves it and opens its page (closing what started if a step fails). */
export async function openExplorer(): Promise<OpenExplorer> {
  const fixture = await trainWebFixture();
  let server: ServeProcess | undefined;
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    await server?.stop();
    await fixture.cleanup();
  };
  try {
    server = await startServe([fixture.model, '--log', fixture.log]);
    browser = await launchBrowser();
    const page = browser.page;
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="true"]');
    return { fixture, server, browser, page, close };
  } catch (error) {
    await close();
    throw error;
  }
}

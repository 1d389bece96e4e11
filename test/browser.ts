// Headless Chromium (Debian's chromium, via playwright-core) for the
// explorer's browser tests: one persistent context in a temporary profile.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM } from './peers.js';

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

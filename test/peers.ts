/**
 * The peers some tests compare against (gensim, fastText, Chromium), and
 * whether each is here. Without one, its tests are skipped with the reason;
 * in CI (CI=true, or W2V_REQUIRE_PEERS=1) a missing peer fails them instead,
 * so that a green run never hides a comparison that did not happen.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PYTHON = process.env['PYTHON'] ?? '/usr/bin/python3';
export const FASTTEXT = process.env['FASTTEXT'] ?? 'fasttext';
export const CHROMIUM = process.env['W2V_CHROMIUM'] ?? '/usr/bin/chromium';

const required = process.env['CI'] === 'true' || process.env['W2V_REQUIRE_PEERS'] === '1';

/** For a test's `skip`: false when the peer is here, else why it is skipped. @throws in CI, where every peer must be here. */
export function skipWithout(missing: string | undefined): string | false {
  if (missing === undefined) return false;
  if (required) throw new Error(`${missing}: CI needs every peer (see .ci/run)`);
  return `${missing}; skipping`;
}

let gensim: string | false | undefined;
/** Whether gensim's tests skip (see skipWithout). */
export function gensimSkip(): string | false {
  gensim ??= skipWithout(
    spawnSync(PYTHON, ['-c', 'import gensim'], { stdio: 'ignore' }).status === 0
      ? undefined
      : `gensim cannot be imported with ${PYTHON}`,
  );
  return gensim;
}

/** Whether fastText's tests skip (see skipWithout). */
export function fastTextSkip(): string | false {
  return skipWithout(
    spawnSync(FASTTEXT, [], { stdio: 'ignore' }).error ? `${FASTTEXT} is not installed` : undefined,
  );
}

/** Whether the browser tests skip (see skipWithout). */
export function chromiumSkip(): string | false {
  return skipWithout(
    existsSync(CHROMIUM)
      ? undefined
      : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set W2V_CHROMIUM)`,
  );
}

/**
 * The explorer page's files: the HTML, the stylesheet and the page's ES
 * modules, read into memory once. Nothing else on disk is ever served.
 */
import { readFileSync } from 'node:fs';

export interface StaticFile {
  body: Buffer;
  type: string;
}

const HTML = 'text/html; charset=utf-8';
const JAVASCRIPT = 'text/javascript; charset=utf-8';

/** The page's modules (compiled from public/*.ts), each served at /<name>.js. */
const PAGE_MODULES = [
  'app',
  'api-client',
  'dom',
  'completion',
  'scored-list',
  'facts',
  'search-panel',
  'analogy-panel',
  'map-panel',
  'word-map',
  'loss-panel',
] as const;

const STATIC_FILES: ReadonlyArray<[string, string, string]> = [
  ['/', 'index.html', HTML],
  ['/index.html', 'index.html', HTML],
  ...PAGE_MODULES.map((name): [string, string, string] => [
    `/${name}.js`,
    `${name}.js`,
    JAVASCRIPT,
  ]),
  ['/style.css', 'style.css', 'text/css; charset=utf-8'],
];

/** The Content-Security-Policy of the page: its own scripts, styles and API only. */
export const PAGE_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The page's files by URL path, read once. */
export function loadStaticFiles(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const [urlPath, name, type] of STATIC_FILES) {
    const url = new URL(`./public/${name}`, import.meta.url);
    let body: Buffer;
    try {
      body = readFileSync(url);
    } catch {
      throw new Error(`the explorer page is missing (${name}); run 'npm run build'`);
    }
    files.set(urlPath, { body, type });
  }
  return files;
}

/**
 * HTTP plumbing of the explorer: refusals with their status, reading a
 * bounded JSON body, sending a reply with the common security headers, and
 * noticing a client that went away.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorReply, JsonReply } from './api-types.js';
import { LIMITS } from './limits.js';

/** A refusal with its HTTP status; the message is shown to the user as is. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** A signal that aborts if the connection closes before the whole of `res` was sent. */
export function clientGone(res: ServerResponse): AbortSignal {
  const gone = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) gone.abort();
  });
  return gone.signal;
}

export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new HttpError(400, 'malformed percent-encoding in the URL');
  }
}

/** Reads a JSON body of at most LIMITS.bodyBytes. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    req.resume();
    throw new HttpError(415, "POST bodies must be JSON: send 'Content-Type: application/json'");
  }
  const declared = Number(req.headers['content-length']);
  const tooLarge = (): HttpError =>
    new HttpError(413, `the request body is larger than ${LIMITS.bodyBytes} bytes`);
  if (Number.isFinite(declared) && declared > LIMITS.bodyBytes) {
    req.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > LIMITS.bodyBytes) {
      req.resume();
      throw tooLarge();
    }
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'the request body is empty; send a JSON object');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpError(
      400,
      `malformed JSON in the request body: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

export function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  headers: Record<string, string>,
  head: boolean,
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...COMMON_HEADERS, ...headers, 'Content-Length': String(bytes.length) });
  res.end(head ? undefined : bytes);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  value: JsonReply | ErrorReply,
  head: boolean,
): void {
  send(
    res,
    status,
    JSON.stringify(value),
    { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
    head,
  );
}

/** Newline-delimited JSON, each line sent as soon as `lines` writes it. */
export async function sendLines<Line>(
  res: ServerResponse,
  lines: (write: (line: Line) => void) => Promise<void>,
  head: boolean,
): Promise<void> {
  res.writeHead(200, {
    ...COMMON_HEADERS,
    'Content-Type': 'application/x-ndjson; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  if (head) {
    res.end();
    return;
  }
  await lines((line) => {
    if (!res.destroyed) res.write(JSON.stringify(line) + '\n');
  });
  res.end();
}

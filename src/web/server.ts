/**
 * The web explorer behind `w2v serve`: a JSON API over one set of word
 * vectors (and optionally its training log) plus the single page that uses
 * it, on Node's own http server.
 *
 * What it exposes is fixed when it starts: the vectors it was given, the
 * progress log it was given (if any) and its own page, which is read into
 * memory up front. No request parameter names a file. Bodies are capped,
 * counts are capped, and every refusal is a 4xx with a JSON message.
 *
 * This module starts it listening. The request handler is in explorer.ts,
 * the API's handlers in api-handlers.ts and their types in api-types.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../errors.js';
import { DEFAULTS } from './limits.js';
import { Explorer, type ExplorerOptions } from './explorer.js';

export type { ServedModel } from './api-handlers.js';
export { Explorer, type ExplorerOptions } from './explorer.js';
export { HttpError } from './http.js';
export { DEFAULTS, LIMITS } from './limits.js';
export { Params } from './params.js';

export interface RunningExplorer {
  /** http://host:port/ */
  url: string;
  host: string;
  port: number;
  server: Server;
  /** Stops listening, ends open connections and cancels projections. */
  close(): Promise<void>;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** Whether `host` only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return (
    host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host)
  );
}

/**
 * Starts the explorer and resolves once it listens.
 * @throws UsageError if the port is taken or the address cannot be used.
 * @example
 * const explorer = await startExplorer({ vectors: kv, modelPath: 'vectors.bin', port: 0 });
 * console.log(explorer.url);
 * await explorer.close();
 */
export async function startExplorer(options: ExplorerOptions): Promise<RunningExplorer> {
  const host = options.host ?? DEFAULTS.host;
  const port = options.port ?? DEFAULTS.port;
  const explorer = new Explorer(options);
  const server = createServer({ requestTimeout: 60_000, headersTimeout: 20_000 }, explorer.handle);
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const where = `${host}:${port}`;
      if (err.code === 'EADDRINUSE')
        reject(new UsageError(`--port: ${where} is already in use; choose another port`));
      else if (err.code === 'EACCES')
        reject(new UsageError(`--port: not allowed to listen on ${where}`));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') {
        reject(new UsageError(`--host: '${host}' is not an address of this machine`));
      } else reject(err);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.removeListener('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  if (isLoopback(host)) explorer.restrictHosts([...LOOPBACK_NAMES, host.toLowerCase()]);
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}/`,
    host: address.address,
    port: address.port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        explorer.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

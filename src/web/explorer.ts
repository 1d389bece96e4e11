/**
 * The explorer's request handler: the routes of the JSON API, the page's
 * static files, the Host check, and every refusal as a JSON reply.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ExplorerApi, type ServedModel } from './api-handlers.js';
import type { JsonReply, MapStreamLine } from './api-types.js';
import {
  clientGone,
  HttpError,
  readJsonBody,
  safeDecode,
  send,
  sendJson,
  sendLines,
} from './http.js';
import { MapJobs } from './map-jobs.js';
import { Params } from './params.js';
import { loadStaticFiles, PAGE_POLICY } from './static-files.js';

export interface ExplorerOptions extends ServedModel {
  /** Default 127.0.0.1 (this machine only). */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
}

type Method = 'GET' | 'HEAD' | 'POST';

interface Route {
  methods: readonly Method[];
  /** `gone` aborts when the client goes away before the reply is sent. */
  handle(params: Params, gone: AbortSignal): Promise<Reply> | Reply;
}

/** JSON, another body, or newline-delimited JSON written as it comes. */
type Reply =
  | { json: JsonReply }
  | { body: string | Buffer; type: string }
  | { lines: (write: (line: MapStreamLine) => void) => Promise<void> };

/**
 * The request handler, apart from any listening socket (tests can drive it
 * through a server of their own).
 */
export class Explorer {
  private readonly files = loadStaticFiles();
  private readonly routes: ReadonlyMap<string, Route>;
  private readonly maps: MapJobs;
  /** Host names accepted in the Host header, or undefined for any (bound to a public address). */
  private allowedHosts: ReadonlySet<string> | undefined;

  constructor(options: ExplorerOptions) {
    this.maps = new MapJobs(options.vectors);
    const api = new ExplorerApi(options, this.maps);
    this.routes = new Map<string, Route>([
      ['/api/info', { methods: ['GET', 'POST'], handle: (p) => ({ json: api.info(p) }) }],
      ['/api/similar', { methods: ['GET', 'POST'], handle: (p) => ({ json: api.similar(p) }) }],
      ['/api/analogy', { methods: ['GET', 'POST'], handle: (p) => ({ json: api.analogy(p) }) }],
      ['/api/vector', { methods: ['GET', 'POST'], handle: (p) => ({ json: api.vector(p) }) }],
      ['/api/complete', { methods: ['GET', 'POST'], handle: (p) => ({ json: api.complete(p) }) }],
      [
        '/api/map',
        {
          methods: ['GET', 'POST'],
          handle: async (p, gone) => ({ json: await api.map(p, gone) }),
        },
      ],
      [
        '/api/map-stream',
        { methods: ['GET', 'POST'], handle: (p, gone) => ({ lines: api.mapStream(p, gone) }) },
      ],
      [
        '/api/place',
        {
          methods: ['GET', 'POST'],
          handle: async (p, gone) => ({ json: await api.place(p, gone) }),
        },
      ],
      ['/api/log', { methods: ['GET', 'POST'], handle: async (p) => ({ json: await api.log(p) }) }],
      [
        '/api/loss.svg',
        {
          methods: ['GET', 'HEAD'],
          handle: async (p) => ({
            body: await api.lossSvg(p),
            type: 'image/svg+xml; charset=utf-8',
          }),
        },
      ],
    ]);
  }

  /**
   * Accept only these names in the Host header (DNS-rebinding protection for
   * a server bound to this machine only).
   */
  restrictHosts(hosts: readonly string[] | undefined): void {
    this.allowedHosts = hosts ? new Set(hosts.map((h) => h.toLowerCase())) : undefined;
  }

  /** Cancels running and queued projections. */
  close(): void {
    this.maps.close();
  }

  /** Node http request listener. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.respond(req, res).catch((err: unknown) => {
      process.stderr.write(
        `w2v serve: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      if (!res.headersSent)
        sendJson(res, 500, { error: 'internal error', status: 500 }, req.method === 'HEAD');
      else res.destroy();
    });
  };

  private async respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const head = req.method === 'HEAD';
    try {
      this.checkHost(req);
      const rawUrl = req.url ?? '/';
      // Nothing here maps URLs to files, but refuse traversal attempts outright, encoded or not.
      if (/(^|[/\\])\.\.([/\\]|$)/.test(safeDecode(rawUrl.split('?')[0]!))) {
        throw new HttpError(400, "paths must not contain '..'");
      }
      const url = new URL(rawUrl, 'http://explorer.invalid');
      const method = (req.method ?? 'GET').toUpperCase();

      const route = this.routes.get(url.pathname);
      if (route) {
        if (!(route.methods as readonly string[]).includes(method)) {
          throw new HttpError(
            405,
            `${method} is not allowed on ${url.pathname} (use ${route.methods.join(' or ')})`,
            {
              Allow: route.methods.join(', '),
            },
          );
        }
        const params =
          method === 'POST'
            ? Params.fromJson(await readJsonBody(req))
            : Params.fromQuery(url.searchParams);
        const reply = await route.handle(params, clientGone(res));
        if ('json' in reply) sendJson(res, 200, reply.json, head);
        else if ('lines' in reply) await sendLines(res, reply.lines, head);
        else {
          const headers = {
            'Content-Type': reply.type,
            'Content-Security-Policy': "default-src 'none'",
            'Cache-Control': 'no-store',
          };
          send(res, 200, reply.body, headers, head);
        }
        return;
      }
      if (url.pathname.startsWith('/api/')) {
        throw new HttpError(
          404,
          `no such endpoint: ${url.pathname} (see /api/info for the model; endpoints: ${[...this.routes.keys()].join(', ')})`,
        );
      }
      const file = this.files.get(url.pathname);
      if (!file) throw new HttpError(404, `not found: ${url.pathname}`);
      if (method !== 'GET' && method !== 'HEAD') {
        throw new HttpError(405, `${method} is not allowed on ${url.pathname} (use GET)`, {
          Allow: 'GET, HEAD',
        });
      }
      const headers: Record<string, string> = {
        'Content-Type': file.type,
        'Cache-Control': 'no-cache',
      };
      if (file.type.startsWith('text/html')) headers['Content-Security-Policy'] = PAGE_POLICY;
      send(res, 200, file.body, headers, head);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      if (err.status === 413) res.setHeader('Connection', 'close');
      for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
      sendJson(res, err.status, { error: err.message, status: err.status }, head);
    }
  }

  private checkHost(req: IncomingMessage): void {
    if (!this.allowedHosts) return;
    const host = (req.headers.host ?? '').toLowerCase();
    const name = host.startsWith('[')
      ? host.slice(0, host.indexOf(']') + 1)
      : host.replace(/:\d+$/, '');
    if (!this.allowedHosts.has(name)) {
      throw new HttpError(
        403,
        `host '${host}' is not allowed; open the address that w2v serve printed`,
      );
    }
  }
}

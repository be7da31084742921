/**
 * The plain-HTTP endpoint on --httpAddr (8080): /ready for kubelet probes and read-only /debug
 * views. Handlers are small functions of the current state; nothing here mutates anything.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ListenAddress } from '../config/options.js';
import type { Logger } from '../lib/logger.js';

/** A handler's answer when it is not plain 200 JSON: another status, or a text body. */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly contentType?: string,
  ) {}
}

export type RouteHandler = (query: URLSearchParams) => unknown;

export interface DebugViews {
  /** True once every config source has synced (xDS is served only then, too). */
  ready(): boolean;
  /** Handlers return JSON-able data, a Reply, or a Promise of either. */
  readonly routes: Readonly<Record<string, RouteHandler>>;
}

export interface HttpServer {
  readonly port: number;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2) + '\n';
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendReply(res: ServerResponse, reply: unknown): void {
  if (!(reply instanceof Reply)) return sendJson(res, 200, reply);
  if (reply.contentType === undefined) return sendJson(res, reply.status, reply.body);
  const text = String(reply.body);
  res.writeHead(reply.status, { 'content-type': reply.contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function handle(views: DebugViews, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: `method ${req.method} not allowed` });
  if (url.pathname === '/ready') {
    const ok = views.ready();
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
    return void res.end(ok ? 'ready\n' : 'not ready: config sources have not synced\n');
  }
  const route = views.routes[url.pathname];
  if (route) return sendReply(res, await route(url.searchParams));
  if (url.pathname === '/debug' || url.pathname === '/debug/') return sendJson(res, 200, { endpoints: ['/ready', ...Object.keys(views.routes).sort()] });
  sendJson(res, 404, { error: `no such endpoint ${url.pathname}`, endpoints: ['/ready', ...Object.keys(views.routes).sort()] });
}

export async function startHttpServer(address: ListenAddress, views: DebugViews, log: Logger): Promise<HttpServer> {
  const server: Server = createServer((req, res) => {
    handle(views, req, res).catch((err: unknown) => {
      log.error({ err, path: req.url }, 'debug handler failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host || undefined, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/**
 * Routing and HTTP semantics of the webhook port, independent of TLS (unit tests drive it over
 * plain HTTP): POST /inject, /inject/<path envs> (Istio registers both /inject and /inject/),
 * POST /validate and /validate/, GET /ready and /httpsReady. Every failure is an answer:
 * 405 wrong method, 415 wrong content type, 413 too large, 400 not an AdmissionReview, and a
 * handler that throws gives a refusal with code 500 inside a 200 review; nothing propagates.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../lib/logger.js';
import { deny, parseAdmissionReview, reviewResponse, type AdmissionRequest, type AdmissionResponse } from './admission-review.js';
import { handleInject, type InjectHandlerDeps } from './inject-handler.js';
import { isJsonContentType, MAX_BODY_BYTES, parseJsonBody, readBody } from './request-body.js';
import { handleValidate, type ValidateHandlerDeps } from './validate-handler.js';

export interface WebhookHandlerDeps {
  readonly inject: InjectHandlerDeps;
  readonly validate: ValidateHandlerDeps;
  /** GET /ready: 200 once the server may answer reviews. */
  readonly ready: () => boolean;
  readonly logger: Logger;
  readonly maxBodyBytes?: number;
}

type Review = (req: AdmissionRequest, path: string) => AdmissionResponse;

function sendText(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), 'x-content-type-options': 'nosniff', ...extra });
  res.end(text);
}

/**
 * Reads and discards the rest of a refused body (at most `limit` bytes), resolving once the client
 * has sent it all: answering earlier and closing would make the still-writing client fail with
 * EPIPE instead of reading the 413. Past the limit the connection is cut.
 */
function drain(req: IncomingMessage, limit: number): Promise<void> {
  return new Promise((done) => {
    if (req.readableEnded) return done();
    let drained = 0;
    req.on('data', (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > limit) req.destroy();
    });
    req.once('end', () => done());
    req.once('close', () => done());
    req.resume();
  });
}

function route(pathname: string, deps: WebhookHandlerDeps): Review | undefined {
  if (pathname === '/inject' || pathname.startsWith('/inject/')) return (req, path) => handleInject(req, path, deps.inject);
  if (pathname === '/validate' || pathname === '/validate/') return (req) => handleValidate(req, deps.validate);
  return undefined;
}

async function serveReview(review: Review, pathname: string, req: IncomingMessage, res: ServerResponse, deps: WebhookHandlerDeps): Promise<void> {
  const metrics = deps.validate.metrics;
  const refuse = (status: number, message: string, extra?: Record<string, string>) => {
    metrics.httpError(status);
    sendText(res, status, `${message}\n`, extra);
  };
  if (req.method !== 'POST') return refuse(405, `method ${req.method} not allowed: use POST`, { allow: 'POST' });
  if (!isJsonContentType(req.headers['content-type'])) return refuse(415, `invalid Content-Type ${JSON.stringify(req.headers['content-type'] ?? '')}, want application/json`);
  const body = await readBody(req, deps.maxBodyBytes ?? MAX_BODY_BYTES);
  if (!body.ok) {
    // Drain (bounded) what the client still sends so it reads the answer, then close the connection.
    await drain(req, (deps.maxBodyBytes ?? MAX_BODY_BYTES) * 2);
    return refuse(body.status, body.message, { connection: 'close' });
  }
  const json = parseJsonBody(body.text);
  if (!json.ok) return refuse(json.status, json.message);
  const parsed = parseAdmissionReview(json.value);
  if (!parsed.ok) return refuse(400, `not an AdmissionReview: ${parsed.message}`);
  let response: AdmissionResponse;
  try {
    response = review(parsed.request, pathname);
  } catch (err) {
    deps.logger.error({ uid: parsed.request.uid, path: pathname, err: (err as Error).message }, 'admission handler failed');
    response = deny(parsed.request.uid, `internal error: ${(err as Error).message}`, 500);
  }
  const text = reviewResponse(parsed.apiVersion, response);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The request listener for http(s).createServer. */
export function createWebhookHandler(deps: WebhookHandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'https://localhost').pathname;
    } catch {
      return sendText(res, 400, 'malformed request path\n');
    }
    if (pathname === '/ready' || pathname === '/httpsReady') {
      const ok = deps.ready();
      return sendText(res, ok ? 200 : 503, ok ? 'ready\n' : 'not ready\n');
    }
    const review = route(pathname, deps);
    if (!review) return sendText(res, 404, `no such endpoint ${pathname}; have /inject, /validate, /ready\n`);
    serveReview(review, pathname, req, res, deps).catch((err: unknown) => {
      deps.logger.error({ path: pathname, err: (err as Error).message }, 'webhook request failed');
      sendText(res, 500, 'internal error\n');
    });
  };
}

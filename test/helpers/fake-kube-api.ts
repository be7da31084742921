/**
 * A fake Kubernetes API server on loopback HTTPS, faithful to the real one where clients can
 * tell: JSON bodies, `Status` objects for errors (401 for a bad caller bearer token, 400 for a
 * malformed body, 404, 405), and TokenReview create answering 201 with the full object
 * (apiVersion, kind, metadata, spec echoed, status). Tokens it knows come from a table; a token
 * is authenticated only when its audiences intersect the requested ones (the API server's own
 * audience when the request names none), as kube-apiserver does. Namespaces, ConfigMaps and
 * Secrets (get, list, create, replace with optimistic concurrency) come from fake-kube-resources.ts;
 * `core` is the test's handle on that state (seed objects, read them back, deny verbs as RBAC
 * would). Issue 6 extends it (watch).
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { CoreStore, handleCore, parseCorePath } from './fake-kube-resources.js';

export const API_SERVER_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';

export interface KnownToken {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  /** The token's `aud`; default: the API server's audience. */
  readonly audiences?: readonly string[];
  /** Misbehaving-authenticator simulation: report these status.audiences regardless. */
  readonly reportAudiences?: readonly string[];
}

export interface FakeKubeApiOptions {
  /** Tokens a TokenReview knows. */
  readonly tokens?: Readonly<Record<string, KnownToken>>;
  /** The bearer token callers of the API itself must present. */
  readonly callerToken?: string;
  /** Namespaces that exist at start (Active); default: a fresh cluster's plus istio-system. */
  readonly namespaces?: readonly string[];
}

export const DEFAULT_NAMESPACES = ['default', 'istio-system', 'kube-node-lease', 'kube-public', 'kube-system'];

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** The query string without `?` ('' when none). */
  readonly query?: string;
  readonly authorization?: string;
  readonly body: unknown;
}

export interface FakeKubeApi {
  readonly url: string;
  /** PEM that verifies the server's certificate (IP SAN 127.0.0.1). */
  readonly caPem: string;
  readonly callerToken: string;
  readonly requests: RecordedRequest[];
  /** Namespaces, ConfigMaps and Secrets the server holds. */
  readonly core: CoreStore;
  setToken(token: string, info: KnownToken | undefined): void;
  close(): Promise<void>;
}

/** A self-signed P-256 certificate for 127.0.0.1, made by openssl. */
export function loopbackServingCert(): { certPem: string; keyPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fake-kube-'));
  try {
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
    return { certPem: readFileSync(join(dir, 'cert.pem'), 'utf8'), keyPem: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function status(code: number, reason: string, message: string): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

interface ServerState {
  tokens: Map<string, KnownToken>;
  callerToken: string;
  requests: RecordedRequest[];
  core: CoreStore;
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage, limit = 3 * 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) reject(new Error('request entity too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

type Review = { apiVersion?: unknown; kind?: unknown; spec?: { token?: unknown; audiences?: unknown } };

/** The TokenReview the real API server would return for `review` (already validated). */
function reviewToken(review: Review, tokens: Map<string, KnownToken>): object {
  const spec = review.spec ?? {};
  const requested = Array.isArray(spec.audiences) && spec.audiences.length > 0 ? (spec.audiences as string[]) : [API_SERVER_AUDIENCE];
  const known = tokens.get(spec.token as string);
  const tokenAudiences = known?.audiences ?? [API_SERVER_AUDIENCE];
  const overlap = requested.filter((a) => tokenAudiences.includes(a));
  const base = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: { creationTimestamp: null }, spec };
  if (!known) return { ...base, status: { user: {}, error: '[invalid bearer token, token could not be validated]' } };
  if (overlap.length === 0 && !known.reportAudiences) {
    return { ...base, status: { user: {}, error: `[invalid bearer token, token audiences ${JSON.stringify(tokenAudiences)} is invalid for the target audiences ${JSON.stringify(requested)}]` } };
  }
  const user = { username: known.username, uid: known.uid ?? 'uid-1', groups: [...known.groups] };
  return { ...base, status: { authenticated: true, user, audiences: [...(known.reportAudiences ?? overlap)] } };
}

async function handle(req: IncomingMessage, res: ServerResponse, state: ServerState): Promise<void> {
  const [path = '/', query = ''] = (req.url ?? '/').split('?');
  const text = await readBody(req);
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  state.requests.push({ method: req.method ?? '', path, query, authorization: req.headers.authorization, body });
  if (req.headers.authorization !== `Bearer ${state.callerToken}`) return send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
  const core = parseCorePath(path);
  if (core) {
    if (text && body === undefined) return send(res, 400, status(400, 'BadRequest', 'the body of the request was in an unknown format'));
    const reply = handleCore(state.core, req.method ?? '', core, new URLSearchParams(query), body);
    return send(res, reply.code, reply.body);
  }
  if (path !== '/apis/authentication.k8s.io/v1/tokenreviews') return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
  if (req.method !== 'POST') return send(res, 405, status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`));
  const review = body as Review | undefined;
  if (!review || typeof review !== 'object') return send(res, 400, status(400, 'BadRequest', 'the object provided is unrecognized'));
  if (review.kind !== 'TokenReview' || review.apiVersion !== 'authentication.k8s.io/v1') return send(res, 400, status(400, 'BadRequest', `the API version in the data (${String(review.apiVersion)}) does not match the expected API version (authentication.k8s.io/v1)`));
  if (typeof review.spec?.token !== 'string' || review.spec.token === '') return send(res, 400, status(400, 'BadRequest', 'token is required for TokenReview in authentication'));
  send(res, 201, reviewToken(review, state.tokens));
}

export async function startFakeKubeApi(options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
  const { certPem, keyPem } = loopbackServingCert();
  const state: ServerState = { tokens: new Map(Object.entries(options.tokens ?? {})), callerToken: options.callerToken ?? 'istiod-caller-token', requests: [], core: new CoreStore() };
  for (const name of options.namespaces ?? DEFAULT_NAMESPACES) state.core.put('namespaces', { metadata: { name } });
  const server: Server = createServer({ cert: certPem, key: keyPem }, (req, res) => {
    handle(req, res, state).catch((error: Error) => send(res, 500, status(500, 'InternalError', error.message)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    caPem: certPem,
    callerToken: state.callerToken,
    requests: state.requests,
    core: state.core,
    setToken(token, info) {
      if (info) state.tokens.set(token, info);
      else state.tokens.delete(token);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

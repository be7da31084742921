/**
 * A fake Kubernetes API server on loopback HTTPS, faithful to the real one where clients can
 * tell, for driving the real @kubernetes/client-node against it (see fake-kube/*.ts for each
 * part): every resource istiod reads or writes plus the CRDs in crds/ (get, list with
 * selectors / paging / resourceVersion semantics, create, update, patch, delete, the status
 * subresource, watch with bookmarks and 410 Gone after compaction), one global resourceVersion
 * counter, Kubernetes `Status` errors, bearer-token authentication (401), deny rules as RBAC
 * would (403), and TokenReview. `store` (alias `core`) is the test's handle on the state; the
 * other members are chaos knobs and request accounting.
 */
import { createServer, type Server } from 'node:https';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ObjectStore } from './fake-kube/object-store.js';
import { BUILTIN_TYPES, loadCrdTypes, ResourceTypes, type ResourceType } from './fake-kube/resource-types.js';
import { handle, send, type InjectedError, type RecordedRequest, type ServerState } from './fake-kube/server.js';
import type { KnownToken } from './fake-kube/token-review.js';
import { failure, type Verb } from './fake-kube/types.js';
import { WatchHub, type DropOptions } from './fake-kube/watch.js';

export { API_SERVER_AUDIENCE, type KnownToken } from './fake-kube/token-review.js';
export type { RecordedRequest, InjectedError } from './fake-kube/server.js';
export type { AccessGrant } from './fake-kube/subject-access-review.js';
import type { AccessGrant } from './fake-kube/subject-access-review.js';
export type { DropOptions } from './fake-kube/watch.js';
export type { StoreEvent } from './fake-kube/object-store.js';
export type { ResourceType } from './fake-kube/resource-types.js';
export type { DenyRule, KubeObject, Verb } from './fake-kube/types.js';
export { ObjectStore };

export interface FakeKubeApiOptions {
  /** Tokens a TokenReview knows. */
  readonly tokens?: Readonly<Record<string, KnownToken>>;
  /** The bearer token callers of the API itself must present (more: `acceptCallerToken`). */
  readonly callerToken?: string;
  /** Namespaces that exist at start (Active); default: a fresh cluster's plus istio-system. */
  readonly namespaces?: readonly string[];
  /** Resources served besides the built-ins and crds/ (e.g. Gateway API kinds). */
  readonly resources?: readonly ResourceType[];
  /** Where CRDs are read from; default: the repository's crds/. */
  readonly crdDir?: string;
  /** Send BOOKMARK events to watches that allow them this often (default: only on `bookmark()`). */
  readonly bookmarkIntervalMs?: number;
  /** Watch-cache capacity: older changes are compacted automatically (default: unbounded). */
  readonly maxEvents?: number;
  /** A write that changes nothing keeps the resourceVersion and emits no event, as the real server does (default false). */
  readonly skipNoopUpdates?: boolean;
}

export const DEFAULT_NAMESPACES = ['default', 'istio-system', 'kube-node-lease', 'kube-public', 'kube-system'];

export interface RequestFilter {
  readonly verb?: Verb;
  /** A plural (`pods`). */
  readonly resource?: string;
  readonly namespace?: string;
  /** Only requests recorded at or after this index of `requests`. */
  readonly since?: number;
}

export interface FakeKubeApi {
  readonly url: string;
  /** PEM that verifies the server's certificate (IP SAN 127.0.0.1). */
  readonly caPem: string;
  readonly callerToken: string;
  readonly requests: RecordedRequest[];
  /** Every object the server holds (put/get/delete/items, compact, deny rules). */
  readonly store: ObjectStore;
  /** The same as `store` (the name earlier tests use). */
  readonly core: ObjectStore;
  setToken(token: string, info: KnownToken | undefined): void;
  /** RBAC for SubjectAccessReviews: what `grant.user` may do (default: nothing). */
  grantAccess(grant: AccessGrant): void;
  acceptCallerToken(token: string): void;
  revokeCallerToken(token: string): void;
  /** A kubeconfig (YAML) for this server, its CA and the caller token. */
  kubeconfig(token?: string): string;
  /** Forget change history up to now: resuming an older resourceVersion gets 410 Gone. */
  compact(): void;
  /** Close open watches (reset, or a clean end with `graceful`); returns how many. */
  dropWatches(options?: DropOptions): number;
  /** Hold watch events for `ms` while writes continue; the backlog is then sent in order. */
  stallWatches(ms: number): void;
  resumeWatches(): void;
  /** The next `times` watches (of `resource`) get ERROR 410 Expired and end. */
  failNextWatch(resource?: string, times?: number): void;
  /** Answer the next matching request(s) with this status code instead of serving them. */
  injectError(error: InjectedError): void;
  /** Send a BOOKMARK now to every watch that allows them. */
  bookmark(): void;
  /** Watches currently open (of `resource`). */
  openWatches(resource?: string): number;
  /** How many recorded requests match (e.g. `{verb: 'list', resource: 'pods'}`). */
  requestCount(filter?: RequestFilter): number;
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

function kubeconfigYaml(url: string, caPem: string, token: string): string {
  const ca = Buffer.from(caPem).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: fake\n  cluster:\n    server: ${url}\n    certificate-authority-data: ${ca}`,
    'users:',
    `- name: fake\n  user:\n    token: ${token}`,
    'contexts:',
    '- name: fake\n  context:\n    cluster: fake\n    user: fake',
    'current-context: fake',
    '',
  ].join('\n');
}

const matchesFilter = (r: RecordedRequest, f: RequestFilter): boolean =>
  (f.verb === undefined || r.verb === f.verb) && (f.resource === undefined || r.resource === f.resource) && (f.namespace === undefined || r.namespace === f.namespace);

export async function startFakeKubeApi(options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
  const { certPem, keyPem } = loopbackServingCert();
  const types = new ResourceTypes([...BUILTIN_TYPES, ...loadCrdTypes(options.crdDir), ...(options.resources ?? [])]);
  const store = new ObjectStore(types, undefined, options.maxEvents);
  store.skipNoopUpdates = options.skipNoopUpdates ?? false;
  const callerToken = options.callerToken ?? 'istiod-caller-token';
  const state: ServerState = { tokens: new Map(Object.entries(options.tokens ?? {})), callerTokens: new Set([callerToken]), requests: [], store, watches: new WatchHub(store, options.bookmarkIntervalMs), injected: [], grants: [] };
  for (const name of options.namespaces ?? DEFAULT_NAMESPACES) store.put('namespaces', { metadata: { name } });
  const server: Server = createServer({ cert: certPem, key: keyPem }, (req, res) => {
    handle(req, res, state).catch((error: Error) => {
      if (!res.headersSent) send(res, failure(500, 'InternalError', error.message));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    caPem: certPem,
    callerToken,
    requests: state.requests,
    store,
    core: store,
    setToken: (token, info) => void (info ? state.tokens.set(token, info) : state.tokens.delete(token)),
    grantAccess: (grant) => void state.grants!.push(grant),
    acceptCallerToken: (token) => void state.callerTokens.add(token),
    revokeCallerToken: (token) => void state.callerTokens.delete(token),
    kubeconfig: (token = callerToken) => kubeconfigYaml(url, certPem, token),
    compact: () => store.compact(),
    dropWatches: (o) => state.watches.drop(o),
    stallWatches: (ms) => state.watches.stall(ms),
    resumeWatches: () => state.watches.resume(),
    failNextWatch: (resource, times) => state.watches.failNext(resource, times),
    injectError: (error) => void state.injected.push({ ...error }),
    bookmark: () => state.watches.bookmark(),
    openWatches: (resource) => state.watches.count(resource),
    requestCount: (filter = {}) => state.requests.slice(filter.since ?? 0).filter((r) => matchesFilter(r, filter)).length,
    close: () =>
      new Promise<void>((resolve) => {
        state.watches.closeAll();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

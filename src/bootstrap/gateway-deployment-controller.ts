/**
 * Istio's gateway deployment controller, leader-only: for every Gateway API Gateway it deploys
 * (model/gateway-api/deployment.ts decides what), the ServiceAccount, Deployment and Service are
 * server-side applied (fieldManager istio.io/gateway-controller, force) — Istio's own mechanism,
 * so fields others add (HPA replicas, cloud annotations) are left alone.
 * - No write storms: a pass recomputes every desired object and queues only those whose body
 *   differs from what this leadership term last applied (or found already in place), so a
 *   Gateway status write, or any event that changes nothing deployed, writes nothing.
 * - The first time a term meets an object it GETs it: an object without the
 *   `gateway.istio.io/managed` label is someone else's and is never taken over (Istio's
 *   canManage); one that already has every desired field is not written again (restarts and
 *   leader changes do not re-apply the world).
 * - While leading, the managed children are watched (gateway-deployment-children.ts): one that is
 *   deleted, or changed so it no longer holds what was applied, is applied again (Istio re-queues
 *   the owning Gateway on any child event). Our own writes come back as the resourceVersion the
 *   apply returned, or already hold every applied field: they never trigger another apply.
 * - Requests go out one at a time through the status writer's token bucket; a failure is logged
 *   with the Gateway's name and retried with capped exponential backoff. Istio reports nothing in
 *   the Gateway's status for a failed deployment; neither does this.
 */
import { silentLogger, type Logger } from '../lib/logger.js';
import { gatewayDeployment, MANAGED_LABEL, type DesiredObject, type RawGateway } from '../model/gateway-api/deployment.js';
import { childKey, isManagedChild, owningGateway, type RawChild } from '../model/gateway-api/deployment-children.js';
import { createTokenBucket } from '../sources/kubernetes/status-rate-limit.js';
import { containsFields, stableJson } from './gateway-deployment-fields.js';

/** Istio's field manager for everything its gateway controller applies. */
export const FIELD_MANAGER = 'istio.io/gateway-controller';
export const APPLY_CONTENT_TYPE = 'application/apply-patch+yaml';
const MAX_BACKOFF_MS = 5 * 60_000;

export interface DeploymentApi {
  request(method: 'GET' | 'PATCH', path: string, body?: unknown, contentType?: string): Promise<{ readonly status: number; readonly body: unknown }>;
}

export interface DeploymentInputs {
  /** False while the Gateway and GatewayClass informers have not synced. */
  ready(): boolean;
  gateways(): readonly RawGateway[];
  /** spec.controllerName of the named GatewayClass, undefined when it does not exist. */
  classController(name: string): string | undefined;
}

export interface GatewayDeploymentOptions {
  readonly api: DeploymentApi;
  readonly inputs: DeploymentInputs;
  readonly qps: number;
  readonly burst: number;
  readonly debounceMs?: number;
  readonly retryMs?: number;
  readonly logger?: Logger;
  readonly now?: () => number;
}

export interface GatewayDeploymentStats {
  readonly started: boolean;
  readonly passes: number;
  readonly applies: number;
  readonly failures: number;
  readonly notManaged: number;
  /** Watched children found deleted or changed away from what was applied (each then re-applied if still wanted). */
  readonly drifted: number;
  readonly lastError?: string;
}

export interface GatewayDeploymentController {
  poke(): void;
  /** A watched child (ServiceAccount, Deployment or Service, by plural) changed or was deleted. */
  childEvent(change: 'upsert' | 'remove', plural: string, obj: RawChild): void;
  start(): void;
  stop(): void;
  stats(): GatewayDeploymentStats;
}

interface Pending {
  readonly object: DesiredObject;
  readonly json: string;
  readonly gateway: string;
}

/** What this term applied (or found in place) for one object. */
interface Applied {
  readonly json: string;
  /** The applied metadata and spec: what a watched child must still hold. */
  readonly compare: Readonly<Record<string, unknown>>;
  /** The resourceVersion our write (or read) returned: its watch event is our own echo. */
  resourceVersion: string | undefined;
  /** False when even our apply's result lacked some applied field (another writer wins it): edits are then not chased. */
  readonly held: boolean;
}

const keyOf = (o: DesiredObject) => `${o.plural}/${o.namespace}/${o.name}`;
/** apiVersion and kind are left out: list items do not carry them. */
const comparable = (body: Readonly<Record<string, unknown>>) => ({ metadata: body.metadata, ...(body.spec !== undefined ? { spec: body.spec } : {}) });
const resourceVersionOf = (obj: unknown): string | undefined => {
  const rv = (obj as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
  return typeof rv === 'string' && rv !== '' ? rv : undefined;
};

/** The object's URL: core kinds under /api/v1, the others (apps/v1 Deployments) under /apis. */
function objectPath(o: DesiredObject): string {
  const [ns, name] = [encodeURIComponent(o.namespace), encodeURIComponent(o.name)];
  return o.group === '' ? `/api/v1/namespaces/${ns}/${o.plural}/${name}` : `/apis/${o.group}/${o.version}/namespaces/${ns}/${o.plural}/${name}`;
}

export function createGatewayDeploymentController(opts: GatewayDeploymentOptions): GatewayDeploymentController {
  const log = opts.logger ?? silentLogger;
  const now = opts.now ?? Date.now;
  const bucket = createTokenBucket(opts.qps, opts.burst);
  /** This term's last applied (or found in place) body per object. */
  const applied = new Map<string, Applied>();
  /** Bodies being applied right now: a watch event may arrive before the PATCH returns. */
  const inflight = new Map<string, Readonly<Record<string, unknown>>>();
  /** Objects found without the managed label, with the body we would have applied. */
  const foreign = new Map<string, string>();
  const backoff = new Map<string, { attempts: number; retryAt: number }>();
  const skipped = new Map<string, string>();
  const queue = new Map<string, Pending>();
  const counts = { passes: 0, applies: 0, failures: 0, drifted: 0 };
  let lastError: string | undefined;
  let started = false;
  let draining = false;
  let passTimer: NodeJS.Timeout | undefined;

  function poke(delayMs = opts.debounceMs ?? 100): void {
    if (!started || passTimer) return;
    passTimer = setTimeout(pass, delayMs);
    passTimer.unref();
  }

  function noteSkip(gateway: string, reason: string | undefined): void {
    if (skipped.get(gateway) === reason) return;
    if (reason === undefined) skipped.delete(gateway);
    else {
      skipped.set(gateway, reason);
      log.debug({ gateway, reason }, 'gateway not deployed');
    }
  }

  function pass(): void {
    passTimer = undefined;
    if (!started) return;
    if (!opts.inputs.ready()) return poke(opts.retryMs ?? 500);
    counts.passes++;
    const wanted = new Set<string>();
    let nextRetry: number | undefined;
    for (const gw of opts.inputs.gateways()) {
      const spec = (gw.spec ?? {}) as { gatewayClassName?: unknown };
      const plan = gatewayDeployment(gw, typeof spec.gatewayClassName === 'string' ? opts.inputs.classController(spec.gatewayClassName) : undefined);
      noteSkip(plan.gateway, plan.deploy ? undefined : plan.reason);
      if (!plan.deploy) continue;
      for (const object of plan.objects) {
        const key = keyOf(object);
        const json = stableJson(object.body);
        wanted.add(key);
        if (applied.get(key)?.json === json || foreign.get(key) === json) continue;
        const wait = backoff.get(key);
        if (wait && wait.retryAt > now()) {
          nextRetry = Math.min(nextRetry ?? Infinity, wait.retryAt);
          continue;
        }
        queue.set(key, { object, json, gateway: plan.gateway });
      }
    }
    for (const key of queue.keys()) if (!wanted.has(key)) queue.delete(key);
    if (nextRetry !== undefined) poke(Math.max(0, nextRetry - now()));
    void drain();
  }

  async function take(): Promise<boolean> {
    for (let wait = bucket.delayMs(); wait > 0 && started; wait = bucket.delayMs()) await new Promise((r) => setTimeout(r, wait).unref());
    return started && bucket.take();
  }

  function failed(p: Pending, what: string, status: number | undefined, message: string): void {
    const key = keyOf(p.object);
    const attempts = (backoff.get(key)?.attempts ?? 0) + 1;
    const delay = Math.min(MAX_BACKOFF_MS, (opts.retryMs ?? 1000) * 2 ** (attempts - 1));
    backoff.set(key, { attempts, retryAt: now() + delay });
    counts.failures++;
    lastError = `${what} ${key}: ${status !== undefined ? `HTTP ${status}: ` : ''}${message}`;
    log.warn({ gateway: p.gateway, object: key, status, err: message, retryInMs: delay }, `cannot ${what} gateway deployment object`);
    poke(delay);
  }

  const messageOf = (body: unknown) => (typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message.slice(0, 512) : '');

  /** First meeting this term: is the live object someone else's, or already as desired? */
  async function alreadySettled(p: Pending): Promise<boolean> {
    const key = keyOf(p.object);
    const got = await opts.api.request('GET', objectPath(p.object));
    if (got.status === 404) return false;
    if (got.status < 200 || got.status > 299) throw Object.assign(new Error(messageOf(got.body) || 'read failed'), { status: got.status, what: 'read' });
    const live = got.body as { metadata?: { labels?: Record<string, unknown> } };
    if (live.metadata?.labels?.[MANAGED_LABEL] === undefined) {
      foreign.set(key, p.json);
      log.warn({ gateway: p.gateway, object: key }, `exists without the ${MANAGED_LABEL} label; not taking it over`);
      return true;
    }
    if (!containsFields(live, p.object.body)) return false;
    remember(p, live, true);
    return true;
  }

  function remember(p: Pending, live: unknown, held: boolean): void {
    applied.set(keyOf(p.object), { json: p.json, compare: comparable(p.object.body), resourceVersion: resourceVersionOf(live), held });
  }

  async function apply(p: Pending): Promise<void> {
    const key = keyOf(p.object);
    try {
      if (!applied.has(key) && !foreign.has(key)) {
        if (await alreadySettled(p)) return void backoff.delete(key);
        if (!(await take())) return;
      }
      const query = new URLSearchParams({ fieldManager: FIELD_MANAGER, force: 'true' });
      inflight.set(key, comparable(p.object.body));
      const res = await opts.api.request('PATCH', `${objectPath(p.object)}?${query}`, p.object.body, APPLY_CONTENT_TYPE).finally(() => inflight.delete(key));
      if (res.status < 200 || res.status > 299) return failed(p, 'apply', res.status, messageOf(res.body));
      counts.applies++;
      remember(p, res.body, containsFields(res.body, comparable(p.object.body)));
      foreign.delete(key);
      backoff.delete(key);
      log.info({ gateway: p.gateway, object: key }, 'gateway deployment object applied');
    } catch (err) {
      const e = err as Error & { status?: number; what?: string };
      failed(p, e.what ?? 'apply', e.status, e.message);
    }
  }

  async function drain(): Promise<void> {
    if (draining) return;
    draining = true;
    try {
      while (started && queue.size > 0) {
        const [key, pending] = queue.entries().next().value as [string, Pending];
        queue.delete(key);
        if (!(await take())) break;
        await apply(pending);
      }
    } finally {
      draining = false;
    }
  }

  /** Istio re-reconciles the owning Gateway on any child event; here only a child that lost what we applied is re-queued. */
  function childEvent(change: 'upsert' | 'remove', plural: string, obj: RawChild): void {
    if (!started || !isManagedChild(obj)) return;
    const key = childKey(plural, obj);
    if (key === undefined) return;
    if (change === 'upsert' && foreign.delete(key)) return poke(); // labelled managed since: ours to apply now
    const known = applied.get(key);
    if (!known) return; // not applied this term: the next pass decides
    if (change === 'upsert') {
      const rv = resourceVersionOf(obj);
      if (!known.held || (rv !== undefined && rv === known.resourceVersion)) return;
      const pending = inflight.get(key);
      if (containsFields(obj, known.compare) || (pending && containsFields(obj, pending))) return void (known.resourceVersion = rv);
    }
    applied.delete(key);
    counts.drifted++;
    log.info({ gateway: owningGateway(obj), object: key }, change === 'remove' ? 'managed gateway object deleted; applying it again if still wanted' : 'managed gateway object changed by another writer; applying it again if still wanted');
    poke();
  }

  return {
    poke: () => poke(),
    childEvent,
    start() {
      if (started) return;
      started = true;
      log.info('gateway deployment controller started (leader)');
      poke(0);
    },
    stop() {
      if (!started) return;
      started = false;
      clearTimeout(passTimer);
      passTimer = undefined;
      // A new term starts from what the API server says, not from what this one believed.
      for (const m of [queue, applied, inflight, foreign, backoff, skipped]) m.clear();
      log.info('gateway deployment controller stopped');
    },
    stats: () => ({ started, ...counts, notManaged: foreign.size, ...(lastError ? { lastError } : {}) }),
  };
}

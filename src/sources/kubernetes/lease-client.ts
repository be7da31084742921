/**
 * A coordination.k8s.io/v1 Lease as a leader-election lock: read it, create it, or replace it
 * with optimistic concurrency (PUT carrying the resourceVersion last read, so two replicas that
 * race see one success and one 409 Conflict). It speaks JSON through any small client with
 * `request(method, path, body)` — the security layer's KubeClient fits — so it does not need
 * client-node and tests can hand it the fake API server directly.
 */

/** The part of a JSON API client the lease needs (structurally the security layer's KubeClient). */
export interface KubeJsonApi {
  request(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<{ readonly status: number; readonly body: unknown }>;
}

/** Lease spec fields client-go's LeaderElectionRecord maps to. Times are RFC 3339 MicroTime. */
export interface LeaseRecord {
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime?: string;
  readonly renewTime?: string;
  readonly leaseTransitions: number;
}

/** The lock as read: the record plus the resourceVersion a replace must carry. */
export interface ObservedLease {
  readonly record: LeaseRecord;
  readonly resourceVersion: string;
}

/** The API server refused a write because another replica wrote first (409), or created it first. */
export class LeaseConflictError extends Error {
  constructor(readonly lease: string) {
    super(`Lease ${lease}: another replica changed it first (409 Conflict)`);
    this.name = 'LeaseConflictError';
  }
}

export class LeaseApiError extends Error {
  constructor(readonly lease: string, readonly status: number, detail: string) {
    super(`Lease ${lease}: HTTP ${status}${detail ? `: ${detail}` : ''}`);
    this.name = 'LeaseApiError';
  }
}

/** MicroTime as the API server stores it: RFC 3339 with six fractional digits, UTC. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a Lease body defensively: a malformed or foreign spec reads as an empty (free) lock. */
export function leaseFromBody(body: unknown): ObservedLease | undefined {
  if (!isRecord(body) || !isRecord(body.metadata)) return undefined;
  const rv = body.metadata.resourceVersion;
  const spec = isRecord(body.spec) ? body.spec : {};
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const int = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0);
  const acquireTime = str(spec.acquireTime);
  const renewTime = str(spec.renewTime);
  return {
    resourceVersion: typeof rv === 'string' ? rv : '',
    record: {
      holderIdentity: str(spec.holderIdentity) ?? '',
      leaseDurationSeconds: int(spec.leaseDurationSeconds),
      ...(acquireTime ? { acquireTime } : {}),
      ...(renewTime ? { renewTime } : {}),
      leaseTransitions: int(spec.leaseTransitions),
    },
  };
}

function messageOf(body: unknown): string {
  return isRecord(body) && typeof body.message === 'string' ? body.message.slice(0, 300) : '';
}

export interface LeaseLock {
  /** `namespace/name`, for logs. */
  readonly describe: string;
  /** The current lease, or undefined when it does not exist. */
  get(): Promise<ObservedLease | undefined>;
  /** Creates the lease; LeaseConflictError when another replica created it first. */
  create(record: LeaseRecord): Promise<ObservedLease>;
  /** Replaces the spec of the version `previous` read; LeaseConflictError when it is stale. */
  update(previous: ObservedLease, record: LeaseRecord): Promise<ObservedLease>;
}

export function createLeaseLock(api: KubeJsonApi, namespace: string, name: string): LeaseLock {
  const collection = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  const item = `${collection}/${encodeURIComponent(name)}`;
  const describe = `${namespace}/${name}`;
  const body = (record: LeaseRecord, resourceVersion?: string) => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, ...(resourceVersion ? { resourceVersion } : {}) },
    spec: record,
  });
  async function written(response: { status: number; body: unknown }): Promise<ObservedLease> {
    if (response.status === 409) throw new LeaseConflictError(describe);
    if (response.status < 200 || response.status > 299) throw new LeaseApiError(describe, response.status, messageOf(response.body));
    const lease = leaseFromBody(response.body);
    if (!lease) throw new LeaseApiError(describe, response.status, 'the response is not a Lease');
    return lease;
  }
  return {
    describe,
    async get() {
      const response = await api.request('GET', item);
      if (response.status === 404) return undefined;
      return written(response);
    },
    create: async (record) => written(await api.request('POST', collection, body(record))),
    // Without a resourceVersion the PUT would overwrite blindly; never send an empty one.
    update: async (previous, record) => written(await api.request('PUT', item, body(record, previous.resourceVersion || '0'))),
  };
}

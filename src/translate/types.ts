/**
 * The contract between translate/ (pure: Snapshot + Proxy → xDS resources) and serve/ (the
 * protocol). Resources are plain objects in Envoy's JSON shape: proto field names in
 * snake_case, `'@type'` on every Any (and on the resource itself), Durations as
 * `{ seconds, nanos }`, wrapper types as `{ value }`, enums by name. serve/ encodes each one
 * with Envoy's real message types exactly once per snapshot and scope.
 */
import type { ChangeSet } from '../model/change-set.js';
import type { Proxy } from '../model/proxy.js';
import type { Snapshot } from '../model/snapshot.js';

export interface XdsResource {
  readonly name: string;
  /** The resource message, with `'@type'` set to its type URL. */
  readonly body: Readonly<Record<string, unknown>>;
}

/** Something a translator skipped or adjusted, naming the Istio object and field responsible. */
export interface TranslateDiagnostic {
  readonly severity: 'warning' | 'error';
  /** `Kind/namespace/name` of the object responsible, when there is one. */
  readonly source?: string;
  /** Field path inside that object, e.g. `spec.http[0].retries.retryOn`. */
  readonly path?: string;
  /** The xDS resource affected. */
  readonly resource?: string;
  readonly message: string;
}

export interface Generated {
  readonly resources: readonly XdsResource[];
  readonly diagnostics: readonly TranslateDiagnostic[];
}

export interface Generator {
  /** `grpc` for proxyless gRPC (node metadata GENERATOR=grpc), `sidecar`, `router`. */
  readonly name: string;
  /** The type URLs this generator answers. Requests for others get an empty answer. */
  readonly typeUrls: readonly string[];
  /**
   * Everything about `proxy` that resource `name` of `typeUrl` depends on (name undefined: the
   * wildcard set), as a string. Two proxies with the same key get identical resources from the
   * same snapshot, so serve/ caches generated and encoded resources by (snapshot version,
   * typeUrl, scope key, name) and shares the bytes.
   */
  scopeKey(proxy: Proxy, typeUrl: string, name: string | undefined): string;
  /**
   * Type URLs whose scope key depends on the resource name (e.g. gRPC server listeners are per
   * pod IP while client listeners are shared). For every other type the key is the same for all
   * names, so serve/ can share whole resolved subscriptions between proxies.
   */
  readonly nameScopedTypeUrls: readonly string[];
  /**
   * The resources for a subscription. `names` undefined means wildcard (LDS/CDS only).
   * Names that do not exist are simply left out; order of the result does not matter.
   */
  generate(snapshot: Snapshot, proxy: Proxy, typeUrl: string, names: readonly string[] | undefined): Generated;
  /**
   * For an endpoints-only ChangeSet: whether resource `name` of `typeUrl` can be affected.
   * (e.g. an EDS resource `outbound|80||a.ns.svc.cluster.local` when `a.ns.svc.cluster.local`
   * is in changes.endpointsChanged.) Full changes always regenerate.
   */
  affectedByEndpoints(changes: ChangeSet, typeUrl: string, name: string): boolean;
  /**
   * For an endpoints-only ChangeSet: the types other than EDS that must be regenerated for
   * `proxy` (e.g. a sidecar's inbound listeners and clusters when its own workload joined or
   * left a service). Absent or empty: only EDS is pushed.
   */
  alsoAffectedByEndpoints?(snapshot: Snapshot, changes: ChangeSet, proxy: Proxy): readonly string[];
  /**
   * For a secrets-only ChangeSet (kinds = [`Secret`], see gateway/sds-changes.ts): the types to
   * regenerate for `proxy` (a gateway's SDS and LDS when it uses a changed secret). Absent or
   * empty: nothing is pushed to this proxy.
   */
  alsoAffectedBySecrets?(snapshot: Snapshot, changes: ChangeSet, proxy: Proxy): readonly string[];
}

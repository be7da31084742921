/**
 * The public face of serve/: what bootstrap/ wires and what debug/ reads. The ADS server knows
 * the xDS protocol (subscriptions, versions, nonces, ACK/NACK, ordering, backpressure), not
 * what a VirtualService is: resources come from translate/'s Generators.
 */
import type { ChangeSet } from '../model/change-set.js';
import type { Proxy } from '../model/proxy.js';
import type { Snapshot } from '../model/snapshot.js';
import type { Generator, XdsResource } from '../translate/types.js';
import type { CallerCredentials } from '../security/authn/types.js';
import type { DiagnosticsReport } from './diagnostics-log.js';
import type { TlsOnlyServer } from './ca-secure-server.js';

export interface AdsLimits {
  /** PILOT_PUSH_THROTTLE: pushes computed and sent at the same time, across connections. */
  readonly pushThrottle: number;
  /** Largest request message accepted (gRPC's default 4 MiB); bigger → RESOURCE_EXHAUSTED. */
  readonly maxRecvMessageBytes: number;
  /** Unflushed response bytes per connection before it is cut off as too slow. */
  readonly sendBufferBytes: number;
  /** A response not flushed within this many ms cuts the connection off (0 = never). */
  readonly sendTimeoutMs: number;
  /** --keepaliveMaxServerConnectionAge: connections are asked to reconnect (GOAWAY) after this. */
  readonly maxConnectionAgeMs: number;
  readonly keepaliveTimeMs: number;
  readonly keepaliveTimeoutMs: number;
  /** New ADS streams admitted per second (token bucket) and the bucket size. */
  readonly newStreamsPerSecond: number;
  readonly newStreamsBurst: number;
  /** Most resource names one stream may subscribe to for one type. */
  readonly maxResourceNames: number;
}

export const DEFAULT_ADS_LIMITS: AdsLimits = Object.freeze({
  pushThrottle: 100,
  maxRecvMessageBytes: 4 * 1024 * 1024,
  sendBufferBytes: 64 * 1024 * 1024,
  sendTimeoutMs: 10_000,
  maxConnectionAgeMs: 30 * 60_000,
  keepaliveTimeMs: 30_000,
  keepaliveTimeoutMs: 10_000,
  newStreamsPerSecond: 200,
  newStreamsBurst: 400,
  maxResourceNames: 20_000,
});

/** Recorded by serve/, exported by debug/ under Istio's metric names. */
export interface XdsMetrics {
  /** pilot_xds: connected proxies (gauge), by ISTIO_VERSION. */
  connectionOpened(istioVersion: string): void;
  connectionClosed(istioVersion: string): void;
  /** pilot_xds_pushes{type}: responses sent. pilot_xds_push_time{type}: seconds to build + send. */
  pushed(type: string, seconds: number, bytes: number): void;
  /** pilot_proxy_convergence_time: seconds from the first config event of a batch to the push. */
  converged(seconds: number): void;
  /** pilot_total_xds_rejects{type}: NACKs. */
  rejected(type: string): void;
  /** pilot_xds_write_timeout / expired sends and other forced disconnects, by reason. */
  disconnected(reason: string): void;
}

export const NO_METRICS: XdsMetrics = Object.freeze({
  connectionOpened() {},
  connectionClosed() {},
  pushed() {},
  converged() {},
  rejected() {},
  disconnected() {},
});

export interface TypeStatus {
  readonly typeUrl: string;
  /** Subscribed resource names; undefined = wildcard. */
  readonly subscribed?: readonly string[];
  readonly sentVersion?: string;
  readonly sentNonce?: string;
  readonly sentAt?: string;
  readonly ackedVersion?: string;
  readonly nackedVersion?: string;
  readonly nackMessage?: string;
  /** Names of the resources the proxy currently holds (last sent). */
  readonly resourceNames: readonly string[];
}

export interface ConnectionStatus {
  readonly conId: string;
  /** `<pod>.<namespace>`. */
  readonly proxyId: string;
  readonly nodeId: string;
  readonly peer: string;
  readonly connectedAt: string;
  readonly protocol: 'sotw' | 'delta';
  readonly generator: string;
  readonly userAgent?: string;
  readonly istioVersion?: string;
  readonly types: readonly TypeStatus[];
}

export interface AdsServerDeps {
  /** The generator for a proxy, or undefined when none can serve it (the stream is refused). */
  readonly generatorFor: (proxy: Proxy) => Generator | undefined;
  readonly logger: import('../lib/logger.js').Logger;
  readonly metrics?: XdsMetrics;
  readonly limits?: Partial<AdsLimits>;
}

/**
 * The verdict on one stream of the secure (TLS) port: who the caller proved to be and whether
 * that identity may have this proxy's config. The reason is for the log, never for the client.
 */
export type StreamAuthorization =
  | { readonly allowed: true; readonly identity: string; readonly secretAccess?: () => import('./sds-access.js').SecretAccess }
  | { readonly allowed: false; readonly status: 'unauthenticated' | 'permission-denied'; readonly reason: string };

/** Decides once per stream, on its first request (the node is known then). */
export type StreamAuthorizer = (credentials: CallerCredentials, proxy: Proxy) => Promise<StreamAuthorization>;

export interface AdsServer {
  /** Binds (port 0 = any) and returns the bound port. */
  listen(host: string, port: number): Promise<number>;
  /**
   * A TLS-only gRPC server carrying the same ADS service (same snapshot, connections and limits)
   * where every stream passes `authorize` first. The caller binds it (bindTls) and may add the CA
   * service; close() shuts it down with the plaintext one.
   */
  secureServer?(authorize: StreamAuthorizer): TlsOnlyServer;
  /**
   * A new snapshot. The first call also marks the model ready: requests that arrived before it
   * were held (not answered) and are answered now. `firstEventAt` (ms since epoch) is when the
   * batch's first config event happened, for pilot_proxy_convergence_time.
   */
  onSnapshot(snapshot: Snapshot, changes: ChangeSet, firstEventAt?: number): void;
  connections(): readonly ConnectionStatus[];
  /** The resources last sent to a proxy (`<pod>.<namespace>`), by type URL; undefined if not connected. */
  sentResources(proxyId: string): ReadonlyMap<string, readonly XdsResource[]> | undefined;
  /** The node of the newest connection of a proxy (`<pod>.<namespace>`), for debug views; undefined if not connected. */
  connectedProxy?(proxyId: string): Proxy | undefined;
  /** What the generators skipped or repaired for the current snapshot, and why (/debug/push_status). */
  diagnostics?(): DiagnosticsReport;
  /** Stops accepting, closes every stream, waits for the server to shut down. */
  close(): Promise<void>;
}

/**
 * DestinationRule / Sidecar connectionPool on a cluster, as Istio applies it to every cluster
 * (an absent pool counts as empty): circuit-breaker thresholds that default to "unlimited"
 * (Envoy's own defaults, e.g. 3 parallel retries, are too low during pod churn), the connect
 * timeout, TCP keepalive (mesh-wide, then overridden per field), and the HTTP protocol options
 * (idle timeout, max requests per connection, max connection duration, h2 max concurrent
 * streams, useClientProtocol). Zero means unset, as in Istio.
 */
import type { MeshConfig } from '../../../config/mesh-types.js';
import type { MeshServicePort } from '../../../model/registry/types.js';
import type { ConnectionPoolSettings } from '../../../model/types/destination-rule.js';
import { protoDuration } from '../../common/proto-values.js';
import { shared } from '../../common/shared.js';
import { portKind } from '../protocol.js';
import { commonHttpOptions, http2Options, meshConnectTimeout, setHttp2, setUseDownstreamProtocol, type ClusterDraft, type Json } from './draft.js';
import type { FieldOrigin } from './origin.js';

const UNLIMITED = 4294967295;

function defaultThresholds(): Json {
  return {
    max_connections: { value: UNLIMITED },
    max_pending_requests: { value: UNLIMITED },
    max_requests: { value: UNLIMITED },
    max_retries: { value: UNLIMITED },
    track_remaining: true,
  };
}

/** The circuit breakers of every cluster whose pool sets no limit: one shared object, encoded once. */
const DEFAULT_CIRCUIT_BREAKERS = shared({ thresholds: [defaultThresholds()] });

const positive = (n: number | undefined): n is number => n !== undefined && n > 0;

/** A DR duration, or undefined (with a warning) when it does not parse. */
function duration(text: string | undefined, at: FieldOrigin, field: string): Json | undefined {
  if (text === undefined) return undefined;
  const d = protoDuration(text);
  if (!d) at.warn(field, `invalid duration ${JSON.stringify(text)}: ignored`);
  return d ? { ...d } : undefined;
}

type Keepalive = { probes?: number; time?: string; interval?: string };

function applyKeepalive(draft: ClusterDraft, keepalive: Keepalive | undefined): void {
  if (!keepalive) return;
  const options = (draft.cluster.upstream_connection_options ??= { tcp_keepalive: {} }) as { tcp_keepalive: Json };
  const ka = options.tcp_keepalive;
  if (positive(keepalive.probes)) ka.keepalive_probes = { value: keepalive.probes };
  const time = protoDuration(keepalive.time);
  if (time) ka.keepalive_time = { value: time.seconds };
  const interval = protoDuration(keepalive.interval);
  if (interval) ka.keepalive_interval = { value: interval.seconds };
}

function circuitBreakers(pool: ConnectionPoolSettings | undefined): Json {
  const http = pool?.http;
  const tcp = pool?.tcp;
  const limited = positive(http?.http2MaxRequests) || positive(http?.http1MaxPendingRequests) || positive(http?.maxRetries) || positive(tcp?.maxConnections);
  if (!limited) return DEFAULT_CIRCUIT_BREAKERS;
  const thresholds = defaultThresholds();
  if (positive(http?.http2MaxRequests)) thresholds.max_requests = { value: http.http2MaxRequests };
  if (positive(http?.http1MaxPendingRequests)) thresholds.max_pending_requests = { value: http.http1MaxPendingRequests };
  if (positive(http?.maxRetries)) thresholds.max_retries = { value: http.maxRetries };
  if (positive(tcp?.maxConnections)) thresholds.max_connections = { value: tcp.maxConnections };
  return { thresholds: [thresholds] };
}

export function applyConnectionPool(draft: ClusterDraft, mesh: MeshConfig, pool: ConnectionPoolSettings | undefined, at: FieldOrigin): void {
  const http = pool?.http;
  const tcp = pool?.tcp;
  draft.cluster.connect_timeout = duration(tcp?.connectTimeout, at, 'tcp.connectTimeout') ?? { ...meshConnectTimeout(mesh) };
  applyKeepalive(draft, mesh.tcpKeepalive);
  applyKeepalive(draft, tcp?.tcpKeepalive);
  draft.cluster.circuit_breakers = circuitBreakers(pool);

  const idle = duration(http?.idleTimeout, at, 'http.idleTimeout') ?? duration(tcp?.idleTimeout, at, 'tcp.idleTimeout');
  const maxDuration = duration(tcp?.maxConnectionDuration, at, 'tcp.maxConnectionDuration');
  const perConnection = http?.maxRequestsPerConnection;
  const streams = http?.maxConcurrentStreams;
  if (idle || maxDuration || positive(perConnection) || positive(streams)) {
    const common = commonHttpOptions(draft);
    if (idle) common.idle_timeout = idle;
    if (positive(perConnection)) common.max_requests_per_connection = { value: perConnection };
    if (maxDuration) common.max_connection_duration = maxDuration;
    const h2 = http2Options(draft);
    if (h2 && positive(streams)) h2.max_concurrent_streams = { value: streams };
  }
  if (http?.useClientProtocol) setUseDownstreamProtocol(draft);
}

/**
 * Istio's h2 upgrade: the DR's h2UpgradePolicy UPGRADE always upgrades (the user vouches the
 * port is HTTP), DO_NOT_UPGRADE never does; otherwise the mesh-wide policy applies to HTTP ports.
 */
export function applyH2Upgrade(draft: ClusterDraft, mesh: MeshConfig, port: MeshServicePort, pool: ConnectionPoolSettings | undefined): void {
  const override = pool?.http?.h2UpgradePolicy;
  if (override === 'UPGRADE') return setHttp2(draft);
  if (override === 'DO_NOT_UPGRADE') return;
  if (portKind(port.protocol) !== 'http') return;
  if (mesh.h2UpgradePolicy === 'UPGRADE') setHttp2(draft);
}

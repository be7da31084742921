/**
 * A merged DestinationRule policy applied to a gRPC cluster: load balancing (ROUND_ROBIN, or
 * RING_HASH for consistentHash, with Istio's minimum ring size handling), outlier detection
 * (mapped as Istio maps it for Envoy), connectionPool.http.http2MaxRequests as the circuit
 * breaker's max_requests (the one limit gRPC enforces, gRFC A32). Settings gRPC cannot honor
 * are reported against the field they came from. TLS is cds-tls.ts's.
 */
import type { ConsistentHashLB, LoadBalancerSettings, OutlierDetection } from '../../model/types/destination-rule.js';
import { buildOutlierDetection } from '../common/outlier-detection.js';
import { protoDuration } from '../common/proto-values.js';
import type { ClusterPolicy } from '../common/traffic-policy.js';
import type { Source } from '../common/diagnostics.js';
import type { GrpcContext } from './context.js';
import type { Json } from './rds-match.js';

/** Where a policy field came from: the object and the path of the field in it. */
export type Origin = (field: keyof ClusterPolicy) => { source: Source; path: string };

const DEFAULT_RING_SIZE = 1024;

function ringHash(hash: ConsistentHashLB, ctx: GrpcContext, origin: Origin): Json {
  if (hash.maglev) {
    const at = origin('loadBalancer');
    ctx.diags.warn(at.source, `${at.path}.consistentHash.maglev`, 'gRPC supports ring hash, not Maglev: RING_HASH used');
  }
  if (hash.ringHash) {
    const size = hash.ringHash.minimumRingSize ?? 0;
    return { lb_policy: 'RING_HASH', ...(size > 0 ? { ring_hash_lb_config: { minimum_ring_size: { value: size } } } : {}) };
  }
  if (hash.maglev) return { lb_policy: 'RING_HASH' };
  const size = hash.minimumRingSize && hash.minimumRingSize > 0 ? hash.minimumRingSize : DEFAULT_RING_SIZE;
  return { lb_policy: 'RING_HASH', ring_hash_lb_config: { minimum_ring_size: { value: size } } };
}

function loadBalancing(lb: LoadBalancerSettings | undefined, ctx: GrpcContext, origin: Origin): Json {
  const at = origin('loadBalancer');
  if (lb?.simple && lb.simple !== 'ROUND_ROBIN' && lb.simple !== 'UNSPECIFIED' && !lb.consistentHash) {
    ctx.diags.warn(at.source, `${at.path}.simple`, `gRPC supports ROUND_ROBIN and consistent hashing only: ${lb.simple} replaced by ROUND_ROBIN`);
  }
  if (lb?.localityLbSetting) ctx.diags.warn(at.source, `${at.path}.localityLbSetting`, 'locality load balancing settings are not supported for proxyless gRPC: ignored');
  if (lb?.warmupDurationSecs !== undefined || lb?.warmup !== undefined) ctx.diags.warn(at.source, at.path, 'warmup is not supported by gRPC clients: ignored');
  return lb?.consistentHash ? ringHash(lb.consistentHash, ctx, origin) : { lb_policy: 'ROUND_ROBIN' };
}

function outlierDetection(od: OutlierDetection, ctx: GrpcContext, origin: Origin): Json {
  const out = buildOutlierDetection(od);
  const at = origin('outlierDetection');
  ctx.diags.warn(at.source, at.path, 'gRPC clients eject only by success rate or failure percentage (gRFC A50); consecutive-error ejection is not enforced by them');
  return out;
}

function circuitBreakers(policy: ClusterPolicy, ctx: GrpcContext, origin: Origin): Json | undefined {
  const pool = policy.connectionPool;
  if (!pool) return undefined;
  const at = origin('connectionPool');
  const { http2MaxRequests, ...otherHttp } = pool.http ?? {};
  const ignored = [...Object.keys(pool.tcp ?? {}).map((k) => `tcp.${k}`), ...Object.keys(otherHttp).map((k) => `http.${k}`)];
  if (ignored.length > 0) ctx.diags.warn(at.source, at.path, `gRPC clients enforce only http.http2MaxRequests; ignored: ${ignored.join(', ')}`);
  return http2MaxRequests !== undefined ? { thresholds: [{ max_requests: { value: http2MaxRequests } }] } : undefined;
}

/** The Cluster fields the policy sets. */
export function applyClusterPolicy(policy: ClusterPolicy, ctx: GrpcContext, origin: Origin): Json {
  const breakers = circuitBreakers(policy, ctx, origin);
  const od = policy.outlierDetection;
  return {
    ...loadBalancing(policy.loadBalancer, ctx, origin),
    ...(od ? { outlier_detection: outlierDetection(od, ctx, origin), common_lb_config: { healthy_panic_threshold: { value: od.minHealthPercent ?? 0 } } } : {}),
    ...(breakers ? { circuit_breakers: breakers } : {}),
  };
}

/**
 * The cluster's load-balancing policy from the merged loadBalancer settings, as Istio sets it:
 * LEAST_REQUEST by default (and for LEAST_CONN), ROUND_ROBIN, RANDOM, PASSTHROUGH (original
 * destination), consistent hashing as RING_HASH (default ring 1024 for the deprecated form) or
 * MAGLEV, warmup as slow start. Locality settings shape EDS priorities and weights (the EDS
 * builder); the cluster only switches on locality-weighted balancing when `distribute` is used,
 * or failover can happen (failover/failoverPriority with outlier detection).
 */
import type { MeshConfig } from '../../../config/mesh-types.js';
import type { LoadBalancerSettings, LocalityLoadBalancerSetting } from '../../../model/types/destination-rule.js';
import { protoDuration } from '../../common/proto-values.js';
import { commonLbConfig, type ClusterDraft, type Json } from './draft.js';
import type { FieldOrigin } from './origin.js';

const DEFAULT_RING_SIZE = 1024;
/** Istio pins the slow-start aggression; this runtime key is never set. */
const FIXED_RUNTIME_KEY = '(';

type LocalitySetting = LocalityLoadBalancerSetting | MeshConfig['localityLbSetting'];

/** The rule's locality setting wins when present; `enabled: false` (rule or mesh) turns it off. */
export function localitySetting(lb: LoadBalancerSettings | undefined, mesh: MeshConfig): LocalitySetting | undefined {
  const own = lb?.localityLbSetting;
  if (own) return own.enabled === false ? undefined : own;
  const meshWide = mesh.localityLbSetting;
  return meshWide && meshWide.enabled !== false ? meshWide : undefined;
}

function setLbConfig(draft: ClusterDraft, key: string, value: Json): void {
  for (const k of ['round_robin_lb_config', 'least_request_lb_config', 'ring_hash_lb_config', 'maglev_lb_config']) delete draft.cluster[k];
  draft.cluster[key] = value;
}

/** A duration field, or undefined (with a warning) when it does not parse. */
function window(text: string, at: FieldOrigin, field: string): Json | undefined {
  const d = protoDuration(text);
  if (!d) at.warn(field, `invalid duration ${JSON.stringify(text)}: warmup ignored`);
  return d ? { ...d } : undefined;
}

function slowStart(lb: LoadBalancerSettings | undefined, at: FieldOrigin): Json | undefined {
  if (lb?.warmup) {
    const slowStartWindow = window(lb.warmup.duration, at, 'warmup.duration');
    return slowStartWindow && {
      slow_start_window: slowStartWindow,
      aggression: { default_value: lb.warmup.aggression ?? 1, runtime_key: FIXED_RUNTIME_KEY },
      min_weight_percent: { value: lb.warmup.minimumPercent ?? 10 },
    };
  }
  if (lb?.warmupDurationSecs === undefined) return undefined;
  const slowStartWindow = window(lb.warmupDurationSecs, at, 'warmupDurationSecs');
  return slowStartWindow && { slow_start_window: slowStartWindow };
}

function withSlowStart(draft: ClusterDraft, policy: 'ROUND_ROBIN' | 'LEAST_REQUEST', lb: LoadBalancerSettings | undefined, at: FieldOrigin): void {
  draft.cluster.lb_policy = policy;
  const slow = slowStart(lb, at);
  if (slow) setLbConfig(draft, policy === 'ROUND_ROBIN' ? 'round_robin_lb_config' : 'least_request_lb_config', { slow_start_config: slow });
}

function consistentHash(draft: ClusterDraft, lb: LoadBalancerSettings): void {
  const hash = lb.consistentHash;
  if (!hash) return;
  if (hash.maglev) {
    draft.cluster.lb_policy = 'MAGLEV';
    if (hash.maglev.tableSize) setLbConfig(draft, 'maglev_lb_config', { table_size: { value: hash.maglev.tableSize } });
  } else if (hash.ringHash) {
    draft.cluster.lb_policy = 'RING_HASH';
    if (hash.ringHash.minimumRingSize) setLbConfig(draft, 'ring_hash_lb_config', { minimum_ring_size: { value: hash.ringHash.minimumRingSize } });
  } else {
    draft.cluster.lb_policy = 'RING_HASH';
    setLbConfig(draft, 'ring_hash_lb_config', { minimum_ring_size: { value: hash.minimumRingSize || DEFAULT_RING_SIZE } });
  }
}

function applyLocality(draft: ClusterDraft, setting: LocalitySetting | undefined, fromRule: boolean, at: FieldOrigin): void {
  if (!setting) return;
  const failover = (setting.failover?.length ?? 0) > 0 || (setting.failoverPriority?.length ?? 0) > 0;
  const outlier = draft.cluster.outlier_detection !== undefined;
  if (failover && !outlier && fromRule) {
    at.warn('localityLbSetting', 'locality failover only takes effect together with outlierDetection (as in Istio)');
  }
  if ((setting.distribute?.length ?? 0) > 0 || (failover && outlier)) {
    commonLbConfig(draft).locality_weighted_lb_config = {};
  }
}

/** Call after outlier detection (failover depends on it). */
export function applyLoadBalancer(draft: ClusterDraft, lb: LoadBalancerSettings | undefined, mesh: MeshConfig, at: FieldOrigin): void {
  applyLocality(draft, localitySetting(lb, mesh), lb?.localityLbSetting !== undefined, at);
  if (draft.cluster.type === 'ORIGINAL_DST') {
    draft.cluster.lb_policy = 'CLUSTER_PROVIDED';
    return;
  }
  switch (lb?.simple) {
    case 'LEAST_CONN':
    case 'LEAST_REQUEST': withSlowStart(draft, 'LEAST_REQUEST', lb, at); break;
    case 'ROUND_ROBIN': withSlowStart(draft, 'ROUND_ROBIN', lb, at); break;
    case 'RANDOM': draft.cluster.lb_policy = 'RANDOM'; break;
    default: withSlowStart(draft, 'LEAST_REQUEST', lb, at);
  }
  if (lb) consistentHash(draft, lb);
}

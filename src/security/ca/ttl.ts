/** Workload certificate lifetimes, as Istio's DEFAULT_WORKLOAD_CERT_TTL / MAX_WORKLOAD_CERT_TTL. */
import { CaError } from './types.js';

export const DEFAULT_WORKLOAD_CERT_TTL_SECONDS = 24 * 3600;
export const MAX_WORKLOAD_CERT_TTL_SECONDS = 90 * 24 * 3600;

export interface TtlPolicy {
  readonly defaultTtlSeconds: number;
  readonly maxTtlSeconds: number;
}

export const DEFAULT_TTL_POLICY: TtlPolicy = {
  defaultTtlSeconds: DEFAULT_WORKLOAD_CERT_TTL_SECONDS,
  maxTtlSeconds: MAX_WORKLOAD_CERT_TTL_SECONDS,
};

/** The lifetime to issue: ≤ 0 → the default; above the maximum → InvalidArgument (never silently shortened). */
export function resolveTtlSeconds(requested: number, policy: TtlPolicy = DEFAULT_TTL_POLICY): number {
  if (typeof requested !== 'number' || Number.isNaN(requested)) {
    throw new CaError('InvalidArgument', `validity_duration: ${String(requested)} is not a number of seconds`);
  }
  if (requested <= 0) return policy.defaultTtlSeconds;
  if (requested > policy.maxTtlSeconds) {
    throw new CaError('InvalidArgument', `validity_duration: requested TTL ${requested}s is greater than the max allowed TTL ${policy.maxTtlSeconds}s`);
  }
  return Math.ceil(requested);
}

/** The daemon's JWKS resolver from Options: Istio's env settings, the always-refused ranges, metrics. */
import type { Options } from '../config/options.js';
import type { Logger } from '../lib/logger.js';
import type { MeshMetrics } from '../debug/metrics.js';
import { createJwksMetrics } from '../debug/jwks-metrics.js';
import { ALWAYS_BLOCKED_JWKS_CIDRS, createJwksResolver, type JwksResolver } from './jwks-resolver.js';

export function createDaemonJwksResolver(options: Options, metrics: MeshMetrics, logger: Logger): JwksResolver {
  const counters = createJwksMetrics(metrics.registry);
  return createJwksResolver({
    logger,
    refreshIntervalMs: options.jwtPubKeyRefreshIntervalMs,
    blockedCidrs: [...ALWAYS_BLOCKED_JWKS_CIDRS, ...options.blockedCidrsInJwksUris],
    onNetworkFetch: counters.networkFetch,
  });
}

/**
 * Istio's JWKS resolver counters, registered on the daemon's metrics registry:
 * pilot_jwks_resolver_network_fetch_success_total and _fail_total, one per network GET
 * (jwksUri or OpenID discovery document).
 */
import { Counter, type Registry } from 'prom-client';

export interface JwksMetrics {
  networkFetch(ok: boolean): void;
}

export function createJwksMetrics(registry: Registry): JwksMetrics {
  const registers = [registry];
  const success = new Counter({ name: 'pilot_jwks_resolver_network_fetch_success_total', help: 'JWKS resolver network fetches (jwksUri or OpenID discovery) that succeeded.', registers });
  const fail = new Counter({ name: 'pilot_jwks_resolver_network_fetch_fail_total', help: 'JWKS resolver network fetches (jwksUri or OpenID discovery) that failed.', registers });
  return { networkFetch: (ok) => (ok ? success.inc() : fail.inc()) };
}

/**
 * Istio's SNI for in-mesh mTLS: `outbound_.<port>_.<subset>_.<fqdn>` (subset empty for the
 * service's default cluster), e.g. `outbound_.8080_.v1_.echo.app.svc.cluster.local`. Sidecars
 * send it and gateways in AUTO_PASSTHROUGH mode route on it.
 */
export function buildSni(port: number, subset: string, host: string): string {
  return `outbound_.${port}_.${subset}_.${host}`;
}

/**
 * GET /debug/cert: the CA's trust state for operators — which CA signs (plugged-in or
 * self-signed), every trusted root (subject, serial, validity), where the roots are published,
 * and istiod's own serving certificate (DNS SANs, serial, expiry). Public data only: no keys.
 */
import type { RootInfo } from '../security/ca/types.js';
import type { RouteHandler } from './http-server.js';

export interface CertViewSource {
  readonly trustDomain: string;
  /** 'self-signed' or 'plugged-in'. */
  readonly mode: 'self-signed' | 'plugged-in';
  /** The plugged-in bundle's directory and format. */
  readonly pluggedIn?: { readonly dir: string; readonly format: string };
  readonly rootCertFile: string;
  roots(): readonly RootInfo[];
  servingCert(): { readonly dnsNames: readonly string[]; readonly serialNumber: string; readonly notBefore: string; readonly notAfter: string };
}

export function certView(source: CertViewSource | undefined): RouteHandler {
  return () => {
    if (!source) return { enabled: false, reason: 'the secure gRPC port (--secureGRPCAddr) is disabled, so no CA runs' };
    return {
      enabled: true,
      trustDomain: source.trustDomain,
      ca: source.mode,
      ...(source.pluggedIn ? { pluggedIn: source.pluggedIn } : {}),
      rootCertFile: source.rootCertFile,
      roots: source.roots(),
      servingCert: source.servingCert(),
    };
  };
}

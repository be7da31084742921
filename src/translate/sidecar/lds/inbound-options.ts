/**
 * Which filter chains an inbound port gets, by PeerAuthentication mode and protocol, following
 * Istio's match tables: STRICT accepts only TLS (terminated with the mesh certificate);
 * PERMISSIVE adds plaintext (raw_buffer) and, for TCP, pass-through of non-mesh TLS; DISABLE is
 * plaintext only. Mesh clients are recognised by their ALPNs (istio, istio-peer-exchange,
 * istio-http/*); sniffed ports split into HTTP and TCP chains by what the inspectors report.
 */
import type { EffectiveMode } from '../../common/peer-authentication.js';
import type { PortKind } from '../protocol.js';
import { PLAINTEXT_HTTP_ALPNS, Transport } from './filters.js';

export interface InboundMatchOption {
  readonly protocol: 'http' | 'tcp';
  readonly transport: string;
  readonly alpn?: readonly string[];
  /** Terminate mTLS on this chain. */
  readonly mtls: boolean;
  /** Terminate the Sidecar ingress listener's own TLS on this chain. */
  readonly custom?: boolean;
}

const MTLS_HTTP_ALPNS = ['istio-http/1.0', 'istio-http/1.1', 'istio-h2'];
const ALL_ISTIO_ALPNS = ['istio', 'istio-peer-exchange', ...MTLS_HTTP_ALPNS];
const MTLS_TCP_ALPNS = ['istio-peer-exchange', 'istio'];

const opt = (protocol: 'http' | 'tcp', transport: string, mtls: boolean, alpn?: readonly string[]): InboundMatchOption =>
  ({ protocol, transport, mtls, ...(alpn ? { alpn } : {}) });

const TABLE: Record<'http' | 'tcp' | 'auto', Record<EffectiveMode, readonly InboundMatchOption[]>> = {
  http: {
    STRICT: [opt('http', Transport.Tls, true)],
    PERMISSIVE: [opt('http', Transport.Tls, true, ALL_ISTIO_ALPNS), opt('http', Transport.Raw, false)],
    DISABLE: [opt('http', Transport.Raw, false)],
  },
  tcp: {
    STRICT: [opt('tcp', Transport.Tls, true)],
    PERMISSIVE: [opt('tcp', Transport.Tls, true, ALL_ISTIO_ALPNS), opt('tcp', Transport.Raw, false), opt('tcp', Transport.Tls, false)],
    DISABLE: [opt('tcp', Transport.Raw, false)],
  },
  auto: {
    STRICT: [opt('http', Transport.Tls, true, MTLS_HTTP_ALPNS), opt('tcp', Transport.Tls, true)],
    PERMISSIVE: [
      opt('http', Transport.Tls, true, MTLS_HTTP_ALPNS),
      opt('http', Transport.Raw, false, PLAINTEXT_HTTP_ALPNS),
      opt('tcp', Transport.Tls, true, MTLS_TCP_ALPNS),
      opt('tcp', Transport.Raw, false),
      opt('tcp', Transport.Tls, false),
    ],
    DISABLE: [opt('http', Transport.Raw, false, PLAINTEXT_HTTP_ALPNS), opt('tcp', Transport.Raw, false)],
  },
};

export function inboundMatchOptions(mode: EffectiveMode, kind: Exclude<PortKind, 'none'>): readonly InboundMatchOption[] {
  return TABLE[kind][mode];
}

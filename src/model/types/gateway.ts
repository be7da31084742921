/** networking.istio.io Gateway. */
import type { Port } from './common.js';

export type ServerTLSMode = 'PASSTHROUGH' | 'SIMPLE' | 'MUTUAL' | 'AUTO_PASSTHROUGH' | 'ISTIO_MUTUAL' | 'OPTIONAL_MUTUAL';
export type TLSProtocolVersion = 'TLS_AUTO' | 'TLSV1_0' | 'TLSV1_1' | 'TLSV1_2' | 'TLSV1_3';

export interface ServerTLSSettings {
  httpsRedirect?: boolean;
  mode?: ServerTLSMode;
  serverCertificate?: string;
  privateKey?: string;
  caCertificates?: string;
  caCrl?: string;
  credentialName?: string;
  credentialNames?: string[];
  subjectAltNames?: string[];
  verifyCertificateSpki?: string[];
  verifyCertificateHash?: string[];
  minProtocolVersion?: TLSProtocolVersion;
  maxProtocolVersion?: TLSProtocolVersion;
  cipherSuites?: string[];
}

export interface Server {
  port: Port;
  bind?: string;
  /** `host`, `ns/host`, `./host` or `*\/host`. */
  hosts: string[];
  tls?: ServerTLSSettings;
  name?: string;
}

export interface GatewaySpec {
  servers: Server[];
  /** Labels of the gateway pods this configuration applies to. */
  selector?: Record<string, string>;
}

/** security.istio.io AuthorizationPolicy, PeerAuthentication, RequestAuthentication. */
import type { Duration, MatchLabelsSelector, PolicyTargetReference } from './common.js';

export interface Source {
  principals?: string[];
  notPrincipals?: string[];
  requestPrincipals?: string[];
  notRequestPrincipals?: string[];
  namespaces?: string[];
  notNamespaces?: string[];
  serviceAccounts?: string[];
  notServiceAccounts?: string[];
  ipBlocks?: string[];
  notIpBlocks?: string[];
  remoteIpBlocks?: string[];
  notRemoteIpBlocks?: string[];
}

export interface Operation {
  hosts?: string[];
  notHosts?: string[];
  ports?: string[];
  notPorts?: string[];
  methods?: string[];
  notMethods?: string[];
  paths?: string[];
  notPaths?: string[];
}

export interface Condition {
  key: string;
  values?: string[];
  notValues?: string[];
}

export interface AuthorizationRule {
  from?: { source: Source }[];
  to?: { operation: Operation }[];
  when?: Condition[];
}

export interface AuthorizationPolicySpec {
  selector?: MatchLabelsSelector;
  targetRef?: PolicyTargetReference;
  targetRefs?: PolicyTargetReference[];
  rules?: AuthorizationRule[];
  action?: 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';
  provider?: { name: string };
}

export type MtlsMode = 'UNSET' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';

export interface PeerAuthenticationSpec {
  selector?: MatchLabelsSelector;
  mtls?: { mode?: MtlsMode };
  /** Keys are port numbers written as strings. */
  portLevelMtls?: Record<string, { mode?: MtlsMode }>;
}

export interface JWTRule {
  issuer: string;
  audiences?: string[];
  jwksUri?: string;
  jwks?: string;
  fromHeaders?: { name: string; prefix?: string }[];
  fromParams?: string[];
  fromCookies?: string[];
  outputPayloadToHeader?: string;
  forwardOriginalToken?: boolean;
  outputClaimToHeaders?: { header: string; claim: string }[];
  spaceDelimitedClaims?: string[];
  timeout?: Duration;
}

export interface RequestAuthenticationSpec {
  selector?: MatchLabelsSelector;
  targetRef?: PolicyTargetReference;
  targetRefs?: PolicyTargetReference[];
  jwtRules?: JWTRule[];
}

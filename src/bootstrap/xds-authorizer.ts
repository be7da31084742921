/**
 * Who may call the CA and the secure xDS port: the caller authenticator chain (a client
 * certificate from this CA, then a bearer token) and, for xDS, the rule that a proxy only gets
 * config of its own identity — the identity's namespace must be the proxy's namespace, and its
 * service account must equal the node's SERVICE_ACCOUNT metadata when that is set.
 */
import type { Options } from '../config/options.js';
import { ErrorCodes, UserError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { Proxy } from '../model/proxy.js';
import type { ManagedWorkloadCa, WorkloadIdentity } from '../security/ca/index.js';
import {
  createCallerAuthenticator,
  createClientCertAuthenticator,
  createJwtAuthenticator,
  parseJwtRule,
  spiffeId,
  type Authenticator,
  type CallerAuthenticator,
} from '../security/authn/index.js';
import type { StreamAuthorizer } from '../serve/types.js';
import type { SecretAccessCheck } from './gateway-credentials-access.js';

/**
 * Client certificates first (renewal, and proxies holding a workload certificate), then tokens:
 * in Kubernetes mode a TokenReview (`tokenReview`, built by kube-ca.ts), then JWT_RULE if set.
 * File mode has no TokenReview (there is no API server).
 */
export function createAuthenticators(ca: ManagedWorkloadCa, options: Options, log: Logger, tokenReview?: Authenticator): CallerAuthenticator {
  const chain: Authenticator[] = [
    // A plugged-in intermediate signs the leaves, so it is an issuer too (not only the roots).
    createClientCertAuthenticator({ trustDomain: ca.trustDomain, issuers: () => issuersOf(ca) }),
  ];
  if (tokenReview) chain.push(tokenReview);
  if (options.jwtRule !== undefined) {
    const rule = parseJwtRule(options.jwtRule);
    if (!rule.ok) throw new UserError(ErrorCodes.CA_JWT_RULE_INVALID, rule.errors.join('; '));
    chain.push(createJwtAuthenticator({ rule: rule.value }));
    log.info({ issuer: rule.value.issuer, audiences: rule.value.audiences }, 'JWT_RULE accepted: OIDC tokens authenticate CA and secure xDS callers');
  } else if (!tokenReview) {
    log.warn('no token authentication configured (JWT_RULE unset, file mode): only client certificates from this CA are accepted on the secure port');
  }
  return createCallerAuthenticator(chain);
}

function issuersOf(ca: ManagedWorkloadCa): string[] {
  const spec = ca.currentSigner().spec;
  return [...new Set([spec.certPem, ...spec.intermediatePems, ...ca.roots()])];
}

/** Why `identity` may not have `proxy`'s config, or undefined when it may. */
export function identityMismatch(identity: WorkloadIdentity, proxy: Proxy): string | undefined {
  if (identity.namespace !== proxy.namespace) {
    return `identity namespace ${JSON.stringify(identity.namespace)} is not the proxy's namespace ${JSON.stringify(proxy.namespace)}`;
  }
  const claimed = proxy.metadata.serviceAccount;
  if (claimed !== undefined && claimed !== '' && claimed !== identity.serviceAccount) {
    return `identity service account ${JSON.stringify(identity.serviceAccount)} is not the proxy's SERVICE_ACCOUNT ${JSON.stringify(claimed)}`;
  }
  return undefined;
}

/**
 * Envoy proxies that may get istiod's SDS: gateways, and sidecars (a DestinationRule with a
 * workloadSelector and credentialName, or a configmap:// CA bundle), as Istio's SDS generator
 * serves every proxy type. Proxyless gRPC (GENERATOR=grpc) never asks istiod for secrets.
 */
const mayUseSecrets = (proxy: Proxy): boolean => proxy.type === 'router' || (proxy.type === 'sidecar' && proxy.metadata.generator !== 'grpc');

/**
 * `secretAccess`: whether the identity may read secrets of its namespace (SubjectAccessReview),
 * decided for every stream that may get SDS; without it no stream gets any secret.
 */
export function createXdsAuthorizer(authenticator: CallerAuthenticator, trustDomain: string, secretAccess?: SecretAccessCheck): StreamAuthorizer {
  return async (credentials, proxy) => {
    const auth = await authenticator.authenticate(credentials);
    if (!auth.ok) return { allowed: false, status: 'unauthenticated', reason: auth.errors.join('; ') };
    const { identity, method } = auth.value;
    const mismatch = identityMismatch(identity, proxy);
    const id = spiffeId(trustDomain, identity);
    if (mismatch) return { allowed: false, status: 'permission-denied', reason: `${id} (${method}): ${mismatch}` };
    // Gateways wait for the review (their first SDS answer should be right); sidecars review lazily.
    if (secretAccess && proxy.type === 'router') return { allowed: true, identity: id, secretAccess: await secretAccess(identity) };
    if (secretAccess && mayUseSecrets(proxy)) return { allowed: true, identity: id, secretAccess: secretAccess.lazy(identity) };
    return { allowed: true, identity: id };
  };
}

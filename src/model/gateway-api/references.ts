/**
 * References out of Gateway API objects: backendRefs (to Services) and certificateRefs (to
 * Secrets), each checked for kind, existence and, across namespaces, a ReferenceGrant in the
 * target namespace that lets the referring kind from the referring namespace in.
 */
import type { ConfigObject } from '../config.js';
import type { BackendRef, ReferenceGrantSpec, SecretObjectReference } from './types.js';
import { GATEWAY_GROUP } from './types.js';
import type { GatewayApiWorld } from './world.js';

/** The core group is written '' or 'core'. */
export const isCoreGroup = (group: string | undefined): boolean => group === undefined || group === '' || group === 'core';

export interface From {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
}

export interface To {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** A ReferenceGrant in `to.namespace` allows `from` to refer to `to`. */
export function grantAllows(world: GatewayApiWorld, from: From, to: To): boolean {
  if (from.namespace === to.namespace) return true;
  const norm = (g: string | undefined) => (isCoreGroup(g) ? '' : g);
  return world.grants.some((grant) => {
    if (grant.metadata.namespace !== to.namespace) return false;
    const spec = grant.spec as ReferenceGrantSpec;
    const fromOk = (spec.from ?? []).some((f) => norm(f.group) === norm(from.group) && f.kind === from.kind && f.namespace === from.namespace);
    const toOk = (spec.to ?? []).some((t) => norm(t.group) === norm(to.group) && t.kind === to.kind && (t.name === undefined || t.name === '' || t.name === to.name));
    return fromOk && toOk;
  });
}

export type RefProblem = { readonly reason: 'RefNotPermitted' | 'BackendNotFound' | 'InvalidKind' | 'InvalidCertificateRef' | 'InvalidFilter'; readonly message: string };

export interface ResolvedBackend {
  readonly host: string;
  readonly port?: number;
  readonly weight: number;
}

export type BackendResult = { ok: true; value: ResolvedBackend } | { ok: false; problem: RefProblem };

/** The route kind's From for ReferenceGrant checks. */
export function routeFrom(route: ConfigObject): From {
  return { group: GATEWAY_GROUP, kind: route.kind, namespace: route.metadata.namespace };
}

export function serviceHost(name: string, namespace: string, domain: string): string {
  return `${name}.${namespace}.svc.${domain}`;
}

/** A backendRef → the Service host it names, or why it cannot be used. */
export function resolveBackend(world: GatewayApiWorld, route: ConfigObject, ref: BackendRef): BackendResult {
  const namespace = ref.namespace ?? route.metadata.namespace;
  const name = ref.name ?? '';
  const kind = ref.kind ?? 'Service';
  const label = `${kind} ${namespace}/${name}`;
  if (!isCoreGroup(ref.group) || kind !== 'Service') {
    return { ok: false, problem: { reason: 'InvalidKind', message: `referencing unsupported backendRef: group "${ref.group ?? ''}" kind "${kind}"` } };
  }
  if (!grantAllows(world, routeFrom(route), { group: '', kind: 'Service', namespace, name })) {
    return { ok: false, problem: { reason: 'RefNotPermitted', message: `backendRef ${name}/${namespace} not accessible to a ${route.kind} in namespace "${route.metadata.namespace}" (missing a ReferenceGrant?)` } };
  }
  const ports = world.services.get(`${namespace}/${name}`);
  if (!ports) return { ok: false, problem: { reason: 'BackendNotFound', message: `backend(${label}) not found` } };
  if (ref.port !== undefined && ports.length > 0 && !ports.some((p) => p.port === ref.port)) {
    return { ok: false, problem: { reason: 'BackendNotFound', message: `backend(${label}) has no port ${ref.port}` } };
  }
  const value: ResolvedBackend = { host: serviceHost(name, namespace, world.domain), weight: ref.weight ?? 1, ...(ref.port !== undefined ? { port: ref.port } : {}) };
  return { ok: true, value };
}

/** A listener's certificateRef → the credentialName the Istio Gateway server gets. */
export function resolveCertificate(world: GatewayApiWorld, gateway: ConfigObject, ref: SecretObjectReference): { ok: true; credentialName: string } | { ok: false; problem: RefProblem } {
  const kind = ref.kind ?? 'Secret';
  const namespace = ref.namespace ?? gateway.metadata.namespace;
  const name = ref.name ?? '';
  if (!isCoreGroup(ref.group) || kind !== 'Secret') {
    return { ok: false, problem: { reason: 'InvalidCertificateRef', message: `invalid certificate reference ${kind}/${name}: only Secrets are supported` } };
  }
  const from: From = { group: GATEWAY_GROUP, kind: 'Gateway', namespace: gateway.metadata.namespace };
  if (!grantAllows(world, from, { group: '', kind: 'Secret', namespace, name })) {
    return { ok: false, problem: { reason: 'RefNotPermitted', message: `certificateRef ${namespace}/${name} not accessible to a Gateway in namespace "${gateway.metadata.namespace}" (missing a ReferenceGrant?)` } };
  }
  // The gateway's own namespace: `kubernetes://<name>`; another (granted) one: Istio's Gateway API scheme.
  const credentialName = namespace === gateway.metadata.namespace ? name : `kubernetes-gateway://${namespace}/${name}`;
  return { ok: true, credentialName };
}

/**
 * The mTLS mode PeerAuthentication sets for a workload port, resolved as Istio does: a policy in
 * the workload's namespace whose selector matches (its portLevelMtls entry first), else the
 * namespace-wide policy, else the mesh-wide one in the root namespace; UNSET inherits; the
 * default is PERMISSIVE. Oldest policy wins among equals.
 */
import type { ConfigObject } from '../../model/config.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { MtlsMode, PeerAuthenticationSpec } from '../../model/types/security.js';

export interface EffectiveMtls {
  readonly mode: Exclude<MtlsMode, 'UNSET'>;
  /** The policy that decided, when one did. */
  readonly source?: ConfigObject;
}

const specOf = (c: ConfigObject) => c.spec as unknown as PeerAuthenticationSpec;

function byAge(a: ConfigObject, b: ConfigObject): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

function selects(policy: ConfigObject, labels: Readonly<Record<string, string>>): boolean {
  const match = specOf(policy).selector?.matchLabels;
  if (!match || Object.keys(match).length === 0) return false;
  return Object.entries(match).every(([k, v]) => labels[k] === v);
}

function isNamespaceWide(policy: ConfigObject): boolean {
  return Object.keys(specOf(policy).selector?.matchLabels ?? {}).length === 0;
}

function decided(mode: MtlsMode | undefined): mode is EffectiveMtls['mode'] {
  return mode !== undefined && mode !== 'UNSET';
}

export function effectiveMtls(snapshot: Snapshot, namespace: string, labels: Readonly<Record<string, string>>, port: number): EffectiveMtls {
  const local = [...snapshot.configs.list('PeerAuthentication', namespace)].sort(byAge);
  const workload = local.find((p) => selects(p, labels));
  if (workload) {
    const spec = specOf(workload);
    const portMode = spec.portLevelMtls?.[String(port)]?.mode;
    if (decided(portMode)) return { mode: portMode, source: workload };
    if (decided(spec.mtls?.mode)) return { mode: spec.mtls.mode, source: workload };
  }
  const root = snapshot.options.rootNamespace;
  const candidates = [local.find(isNamespaceWide), [...snapshot.configs.list('PeerAuthentication', root)].sort(byAge).find(isNamespaceWide)];
  for (const policy of candidates) {
    const mode = policy ? specOf(policy).mtls?.mode : undefined;
    if (policy && decided(mode)) return { mode, source: policy };
  }
  return { mode: 'PERMISSIVE' };
}

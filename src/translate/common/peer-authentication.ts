/**
 * The mTLS mode PeerAuthentication sets for a workload port, resolved as Istio does: a policy in
 * the workload's namespace whose selector matches (its portLevelMtls entry first), else the
 * namespace-wide policy, else the mesh-wide one in the root namespace; UNSET inherits; the
 * default is PERMISSIVE. Oldest policy wins among equals. Only a workload-selecting policy's
 * portLevelMtls counts (as in Istio).
 */
import type { ConfigObject } from '../../model/config.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { MtlsMode, PeerAuthenticationSpec } from '../../model/types/security.js';

export type EffectiveMode = Exclude<MtlsMode, 'UNSET'>;

export interface EffectiveMtls {
  readonly mode: EffectiveMode;
  /** The policy that decided, when one did. */
  readonly source?: ConfigObject;
  /** Field path of the deciding setting inside `source`. */
  readonly path?: string;
}

const specOf = (c: ConfigObject) => c.spec as unknown as PeerAuthenticationSpec;

function byAge(a: ConfigObject, b: ConfigObject): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

function selects(policy: ConfigObject, labels: Readonly<Record<string, string>>): boolean {
  const match = specOf(policy).selector?.matchLabels;
  if (!match || Object.keys(match).length === 0) return false;
  return Object.entries(match).every(([k, v]) => labels[k] === v);
}

function isNamespaceWide(policy: ConfigObject): boolean {
  return Object.keys(specOf(policy).selector?.matchLabels ?? {}).length === 0;
}

function decided(mode: MtlsMode | undefined): mode is EffectiveMode {
  return mode !== undefined && mode !== 'UNSET';
}

/** The oldest policy in `namespace` whose selector matches `labels`. */
function workloadPolicy(snapshot: Snapshot, namespace: string, labels: Readonly<Record<string, string>>): ConfigObject | undefined {
  return [...snapshot.configs.list('PeerAuthentication', namespace)].sort(byAge).find((p) => selects(p, labels));
}

/**
 * The mode for `port` (a workload port), or for the workload as a whole when `port` is
 * undefined (the passthrough chains: port-level settings then do not apply).
 */
export function effectiveMtls(snapshot: Snapshot, namespace: string, labels: Readonly<Record<string, string>>, port?: number): EffectiveMtls {
  const workload = workloadPolicy(snapshot, namespace, labels);
  if (workload) {
    const spec = specOf(workload);
    const portMode = port === undefined ? undefined : spec.portLevelMtls?.[String(port)]?.mode;
    if (decided(portMode)) return { mode: portMode, source: workload, path: `spec.portLevelMtls.${port}.mode` };
    if (decided(spec.mtls?.mode)) return { mode: spec.mtls.mode, source: workload, path: 'spec.mtls.mode' };
  }
  const local = [...snapshot.configs.list('PeerAuthentication', namespace)].sort(byAge);
  const root = snapshot.options.rootNamespace;
  const candidates = [local.find(isNamespaceWide), [...snapshot.configs.list('PeerAuthentication', root)].sort(byAge).find(isNamespaceWide)];
  for (const policy of candidates) {
    const mode = policy ? specOf(policy).mtls?.mode : undefined;
    if (policy && decided(mode)) return { mode, source: policy, path: 'spec.mtls.mode' };
  }
  return { mode: 'PERMISSIVE' };
}

/** Ports named by the workload policy's portLevelMtls (numeric keys only), ascending. */
export function portLevelMtlsPorts(snapshot: Snapshot, namespace: string, labels: Readonly<Record<string, string>>): number[] {
  const workload = workloadPolicy(snapshot, namespace, labels);
  const keys = Object.keys(workload ? specOf(workload).portLevelMtls ?? {} : {});
  const ports = keys.map(Number).filter((p) => Number.isInteger(p) && p > 0 && p <= 65535);
  return [...new Set(ports)].sort((a, b) => a - b);
}

/**
 * Which Sidecar resource applies to a proxy (Istio's precedence): in the proxy's namespace, the
 * oldest Sidecar whose workloadSelector matches the proxy's labels; else that namespace's
 * Sidecar without a selector; else the root namespace's Sidecar without a selector. Istio
 * calls several candidates at one level undefined behavior; we take the oldest and report
 * the others.
 */
import { objectKey, refOf, type ConfigObject } from '../../model/config.js';
import type { Proxy } from '../../model/proxy.js';
import { byAge } from '../../model/registry/build-registry.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { SidecarSpec } from '../../model/types/sidecar.js';
import type { Diagnostics } from '../common/diagnostics.js';

const specOf = (s: ConfigObject) => s.spec as SidecarSpec;

function selects(sidecar: ConfigObject, labels: Readonly<Record<string, string>>): boolean {
  const wanted = specOf(sidecar).workloadSelector?.labels ?? {};
  return Object.entries(wanted).every(([k, v]) => labels[k] === v);
}

/** The first candidate; the others are reported as ignored. */
function oldest(candidates: readonly ConfigObject[], path: string, why: string, diags: Diagnostics): ConfigObject | undefined {
  const [chosen, ...ignored] = candidates;
  if (!chosen) return undefined;
  for (const other of ignored) {
    diags.warn(other, path, `${why}; the oldest, ${objectKey(refOf(chosen))}, applies and this one is ignored`);
  }
  return chosen;
}

function withoutSelector(snapshot: Snapshot, namespace: string, diags: Diagnostics): ConfigObject | undefined {
  const list = [...snapshot.configs.list('Sidecar', namespace)].filter((s) => specOf(s).workloadSelector === undefined).sort(byAge);
  return oldest(list, 'spec.workloadSelector', `more than one Sidecar without workloadSelector in namespace ${namespace}`, diags);
}

export function selectSidecar(snapshot: Snapshot, proxy: Proxy, diags: Diagnostics): ConfigObject | undefined {
  const own = [...snapshot.configs.list('Sidecar', proxy.namespace)].sort(byAge);
  const matching = own.filter((s) => specOf(s).workloadSelector !== undefined && selects(s, proxy.metadata.labels));
  const selected = oldest(matching, 'spec.workloadSelector', `more than one Sidecar selects workload ${proxy.id}`, diags);
  if (selected) return selected;
  const namespaceDefault = withoutSelector(snapshot, proxy.namespace, diags);
  if (namespaceDefault) return namespaceDefault;
  const root = snapshot.options.rootNamespace;
  return root && root !== proxy.namespace ? withoutSelector(snapshot, root, diags) : undefined;
}

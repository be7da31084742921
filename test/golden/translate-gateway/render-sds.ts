/**
 * SDS for the gateway goldens that carry `configmaps.yaml` (ConfigMaps as the Kubernetes
 * ConfigMap cache holds them): the CA bundles are built as the daemon builds them
 * (bootstrap/configmap-ca.ts), and the render asks SDS for every `configmap://` / `invalid://`
 * name the clusters reference, as the gateway's Envoy would → out/secrets.yaml (served
 * secrets) and out/sds-diagnostics.yaml (names left unserved, and why).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { createCaBundles, type CaBundles } from '../../../src/bootstrap/configmap-ca.js';
import type { Proxy } from '../../../src/model/proxy.js';
import type { Snapshot } from '../../../src/model/snapshot.js';
import { convertConfigMap, type KubeConfigMap } from '../../../src/sources/kubernetes/configmap-convert.js';
import type { KubeObject } from '../../../src/sources/kubernetes/object-cache.js';
import { isCaBundleResource } from '../../../src/translate/gateway/sds-configmap.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import type { Generator, XdsResource } from '../../../src/translate/types.js';

/** The case's ConfigMaps as CA bundles; undefined when the case has no configmaps.yaml. */
export function caBundlesFor(dir: string): CaBundles | undefined {
  const file = join(dir, 'configmaps.yaml');
  if (!existsSync(file)) return undefined;
  const byKey = new Map<string, KubeConfigMap>();
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const cm = convertConfigMap(doc.toJS() as KubeObject);
    byKey.set(`${cm.metadata.namespace}/${cm.metadata.name}`, cm);
  }
  return createCaBundles({ get: (ns, name) => byKey.get(`${ns}/${name}`), onChange: () => () => undefined });
}

/** Every SDS name in a cluster's transport socket(s) that istiod serves from ConfigMaps. */
function caBundleNames(clusters: readonly XdsResource[]): string[] {
  const names = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v === null || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (k === 'name' && typeof x === 'string' && isCaBundleResource(x)) names.add(x);
      else walk(x);
    }
  };
  clusters.forEach((c) => walk(c.body));
  return [...names].sort();
}

const yamlOf = (value: unknown) => stringify(JSON.parse(JSON.stringify(value)) ?? [], { sortMapEntries: true, lineWidth: 0 });

export function renderCaBundleSecrets(gen: Generator, snapshot: Snapshot, proxy: Proxy, clusters: readonly XdsResource[]): Record<string, string> {
  const out = gen.generate(snapshot, proxy, TypeUrl.Secret, caBundleNames(clusters));
  const diagnostics = [...out.diagnostics].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return { 'secrets.yaml': yamlOf([...out.resources].sort((a, b) => (a.name < b.name ? -1 : 1)).map((r) => r.body)), 'sds-diagnostics.yaml': yamlOf(diagnostics) };
}

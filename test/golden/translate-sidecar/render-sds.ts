/**
 * SDS for the sidecar goldens that carry `secrets.yaml` (Kubernetes Secrets, written with
 * `stringData` for readability and stored as the Secret cache holds them) and/or
 * `configmaps.yaml` (CA bundles, as in the gateway goldens): the indexes are built as the
 * daemon builds them, and the render asks SDS for every `kubernetes://`, `configmap://` and
 * `invalid://` name the clusters reference, as the sidecar's Envoy would → out/secrets.yaml
 * (served secrets) and out/sds-diagnostics.yaml (names left unserved, and why).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { createGatewayCredentials, type GatewayCredentials } from '../../../src/bootstrap/gateway-credentials.js';
import type { KubeObject } from '../../../src/sources/kubernetes/object-cache.js';
import { convertSecret, type KubeSecret } from '../../../src/sources/kubernetes/secret-convert.js';
import type { Proxy } from '../../../src/model/proxy.js';
import type { Snapshot } from '../../../src/model/snapshot.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import type { Generator, XdsResource } from '../../../src/translate/types.js';

/** The case's Secrets as gateway credentials; undefined when the case has no secrets.yaml. */
export function credentialsFor(dir: string): GatewayCredentials | undefined {
  const file = join(dir, 'secrets.yaml');
  if (!existsSync(file)) return undefined;
  const byKey = new Map<string, KubeSecret>();
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const raw = doc.toJS() as KubeObject & { stringData?: Record<string, string> };
    const data = Object.fromEntries(Object.entries(raw.stringData ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
    const s = convertSecret({ ...raw, data } as KubeObject);
    byKey.set(`${s.metadata.namespace}/${s.metadata.name}`, s);
  }
  return createGatewayCredentials({ get: (ns, name) => byKey.get(`${ns}/${name}`), onChange: () => () => undefined });
}

/** Every SDS name in the clusters' transport sockets that istiod serves (not the agent's). */
function istiodSecretNames(clusters: readonly XdsResource[]): string[] {
  const names = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v === null || typeof v !== 'object') return;
    const node = v as Record<string, unknown>;
    // An SdsSecretConfig served over ADS (not through the agent's sds-grpc cluster).
    if (typeof node.name === 'string' && isRecord(node.sds_config) && 'ads' in node.sds_config) names.add(node.name);
    Object.values(node).forEach(walk);
  };
  clusters.forEach((c) => walk(c.body));
  return [...names].sort();
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const yamlOf = (value: unknown) => stringify(JSON.parse(JSON.stringify(value)) ?? [], { sortMapEntries: true, lineWidth: 0 });

/** out/secrets.yaml and out/sds-diagnostics.yaml: what SDS answers for the names the clusters reference. */
export function renderSidecarSecrets(gen: Generator, snapshot: Snapshot, proxy: Proxy, clusters: readonly XdsResource[]): Record<string, string> {
  const out = gen.generate(snapshot, proxy, TypeUrl.Secret, istiodSecretNames(clusters));
  const diagnostics = [...out.diagnostics].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  const secrets = [...out.resources].sort((a, b) => (a.name < b.name ? -1 : 1)).map((r) => r.body);
  return { 'secrets.yaml': yamlOf(secrets), 'sds-diagnostics.yaml': yamlOf(diagnostics) };
}

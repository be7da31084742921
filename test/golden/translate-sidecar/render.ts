/**
 * Renders one sidecar golden case. A case directory holds:
 *   in.yaml     the mesh's objects (every document must validate);
 *   proxy.yaml  optional: the Envoy node ({id, metadata: {NAMESPACE, LABELS, INSTANCE_IPS...},
 *               locality}), merged over DEFAULT_NODE (metadata key by key);
 *   mesh.yaml   optional: MeshConfig overrides, parsed like --meshConfig.
 *   features.yaml optional: istiod feature flags (SidecarFeatures), e.g. tlsOnSidecarIngress: true.
 *   secrets.yaml / configmaps.yaml optional: Secrets / ConfigMaps behind credentialName; SDS is
 *               then rendered too (out/secrets.yaml, out/sds-diagnostics.yaml; see render-sds.ts).
 * Like istio-agent's Envoy, the render asks LDS and CDS wildcard, then RDS for every route
 * configuration the listeners name and EDS for every EDS cluster. Output: one YAML file per type,
 * resources sorted by name, plus the diagnostics.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { defaultMeshConfig, parseMeshConfig } from '../../../src/config/mesh-config.js';
import type { MeshConfig } from '../../../src/config/mesh-types.js';
import { parseProxy, type Proxy } from '../../../src/model/proxy.js';
import { withGatewayApiObjects } from '../../../src/model/gateway-api/derived-store.js';
import { buildSnapshot, registryOptions, type Snapshot } from '../../../src/model/snapshot.js';
import type { SidecarFeatures } from '../../../src/translate/sidecar/features.js';
import { createSidecarGenerator } from '../../../src/translate/sidecar/index.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import type { Generator, TranslateDiagnostic, XdsResource } from '../../../src/translate/types.js';
import { objectsFrom } from '../../unit/translate/grpc-fixtures.js';
import { edsClusterNames, routeConfigNames } from './references.js';
import { caBundlesFor } from '../translate-gateway/render-sds.js';
import { credentialsFor, renderSidecarSecrets } from './render-sds.js';

type Json = Record<string, unknown>;

export const DEFAULT_NODE = Object.freeze({
  id: 'sidecar~10.0.0.9~client-0.default~default.svc.cluster.local',
  metadata: { NAMESPACE: 'default', LABELS: { app: 'client' }, INSTANCE_IPS: '10.0.0.9' },
  locality: { region: 'r1', zone: 'z1' },
});

export interface SidecarCase {
  readonly snapshot: Snapshot;
  readonly proxy: Proxy;
  readonly mesh: MeshConfig;
}

export interface Rendered {
  /** File name under out/ → YAML text. */
  readonly files: Readonly<Record<string, string>>;
  readonly listeners: readonly XdsResource[];
  readonly routes: readonly XdsResource[];
  readonly clusters: readonly XdsResource[];
  readonly endpoints: readonly XdsResource[];
  readonly diagnostics: readonly TranslateDiagnostic[];
}

const readIfExists = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);

/** proxy.yaml over DEFAULT_NODE; an id is derived from NAMESPACE and INSTANCE_IPS when not given. */
export function nodeFor(proxyYaml: string | undefined): Json {
  const given = (proxyYaml ? parse(proxyYaml) : {}) as { id?: string; metadata?: Json; locality?: Json };
  const metadata = { ...DEFAULT_NODE.metadata, ...given.metadata } as Json;
  const ns = String(metadata.NAMESPACE);
  const ip = String(metadata.INSTANCE_IPS).split(',')[0];
  const id = given.id ?? `sidecar~${ip}~client-0.${ns}~${ns}.svc.cluster.local`;
  return { id, metadata, locality: given.locality ?? DEFAULT_NODE.locality };
}

export function meshFor(meshYaml: string | undefined, source: string): MeshConfig {
  if (meshYaml === undefined) return defaultMeshConfig();
  const parsed = parseMeshConfig(meshYaml, source);
  assert.ok(parsed.ok, `${source}: ${JSON.stringify(parsed.ok ? [] : parsed.errors)}`);
  return parsed.value;
}

export function loadCase(dir: string): SidecarCase {
  const mesh = meshFor(readIfExists(join(dir, 'mesh.yaml')), join(dir, 'mesh.yaml'));
  const options = registryOptions({
    rootNamespace: mesh.rootNamespace,
    defaultServiceExportTo: mesh.defaultServiceExportTo,
    defaultVirtualServiceExportTo: mesh.defaultVirtualServiceExportTo,
    defaultDestinationRuleExportTo: mesh.defaultDestinationRuleExportTo,
  });
  // Gateway API objects (GAMMA routes) become VirtualServices first, as in the daemon's store.
  const snapshot = buildSnapshot(withGatewayApiObjects(objectsFrom(readFileSync(join(dir, 'in.yaml'), 'utf8'))), undefined, options);
  const parsed = parseProxy(nodeFor(readIfExists(join(dir, 'proxy.yaml'))));
  assert.ok(parsed.ok, `proxy.yaml: ${JSON.stringify(parsed.ok ? [] : parsed.errors)}`);
  return { snapshot, proxy: parsed.value, mesh };
}

const byName = (a: XdsResource, b: XdsResource) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function yamlOf(value: unknown): string {
  return stringify(JSON.parse(JSON.stringify(value)) ?? [], { sortMapEntries: true, lineWidth: 0 });
}

function sortedDiagnostics(items: readonly TranslateDiagnostic[]): TranslateDiagnostic[] {
  const unique = [...new Set(items.map((d) => JSON.stringify(d, Object.keys(d).sort())))].sort();
  return unique.map((d) => JSON.parse(d) as TranslateDiagnostic);
}

export function renderCase(dir: string): Rendered {
  const { snapshot, proxy, mesh } = loadCase(dir);
  const features = readIfExists(join(dir, 'features.yaml'));
  // secrets.yaml / configmaps.yaml: credentialName material, and SDS is rendered too (render-sds.ts).
  const credentials = credentialsFor(dir);
  const caBundles = caBundlesFor(dir);
  const gen = createSidecarGenerator({
    mesh,
    features: features === undefined ? undefined : (parse(features) as Partial<SidecarFeatures>),
    ...(credentials ? { credentials: () => credentials.index() } : {}),
    ...(caBundles ? { caBundles: () => caBundles.index() } : {}),
  });
  const rendered = renderWith(gen, snapshot, proxy);
  if (!credentials && !caBundles) return rendered;
  return { ...rendered, files: { ...rendered.files, ...renderSidecarSecrets(gen, snapshot, proxy, rendered.clusters) } };
}

/** Asks a generator for everything a proxy subscribes to (LDS, CDS, then the RDS and EDS names they use) and renders the golden files. */
export function renderWith(gen: Generator, snapshot: Snapshot, proxy: Proxy): Rendered {
  const diagnostics: TranslateDiagnostic[] = [];
  const ask = (typeUrl: string, names: string[] | undefined) => {
    const out = gen.generate(snapshot, proxy, typeUrl, names);
    diagnostics.push(...out.diagnostics);
    return [...out.resources].sort(byName);
  };
  const listeners = ask(TypeUrl.Listener, undefined);
  const clusters = ask(TypeUrl.Cluster, undefined);
  const routes = ask(TypeUrl.RouteConfiguration, routeConfigNames(listeners.map((r) => r.body as Json)));
  const endpoints = ask(TypeUrl.ClusterLoadAssignment, edsClusterNames(clusters.map((r) => r.body as Json)));
  const bodies = (rs: readonly XdsResource[]) => yamlOf(rs.map((r) => r.body));
  const diags = sortedDiagnostics(diagnostics);
  return {
    files: {
      'listeners.yaml': bodies(listeners),
      'routes.yaml': bodies(routes),
      'clusters.yaml': bodies(clusters),
      'endpoints.yaml': bodies(endpoints),
      'diagnostics.yaml': yamlOf(diags),
    },
    listeners, routes, clusters, endpoints, diagnostics: diags,
  };
}

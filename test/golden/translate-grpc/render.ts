/**
 * Renders one golden case: in.yaml holds a `test:` document (the proxy and what it asks for)
 * followed by the mesh's objects. Like a gRPC client, the case follows the chain: the listeners
 * it names (LDS), the route configurations they reference (RDS), the clusters the routes use
 * (CDS), their endpoints (EDS). Output is YAML by type, resources sorted by name.
 */
import { parseAllDocuments, stringify } from 'yaml';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import type { MeshConfig } from '../../../src/config/mesh-types.js';
import { buildSnapshot } from '../../../src/model/snapshot.js';
import type { TranslateDiagnostic, XdsResource } from '../../../src/translate/types.js';
import { assertEncodable, generator, grpcProxy, objectsFrom, T, type ProxyOptions } from '../../unit/translate/grpc-fixtures.js';

interface CaseSpec {
  proxy?: ProxyOptions;
  /** LDS names, or '*' for a wildcard subscription. */
  listeners?: string[] | '*';
  /** Extra CDS names, or '*' for wildcard CDS (then EDS follows every cluster). */
  clusters?: string[] | '*';
  mesh?: Partial<MeshConfig>;
}

type Json = Record<string, any>;

function splitCase(inYaml: string): { spec: CaseSpec; objectsYaml: string } {
  const docs = parseAllDocuments(inYaml);
  const first = docs[0]?.toJS() as { test?: CaseSpec } | null;
  if (!first || !first.test) throw new Error('in.yaml must start with a `test:` document');
  return { spec: first.test, objectsYaml: docs.slice(1).map((d) => d.toString()).join('---\n') };
}

function routeNames(listeners: readonly XdsResource[]): string[] {
  return listeners.flatMap((l) => {
    const name = (l.body as Json).api_listener?.api_listener?.rds?.route_config_name as string | undefined;
    return name ? [name] : [];
  });
}

function clusterNames(routes: readonly XdsResource[]): string[] {
  return routes.flatMap((rc) => ((rc.body as Json).virtual_hosts as Json[]).flatMap((vh) => (vh.routes as Json[]).flatMap((r) => {
    const action = r.route as Json | undefined;
    if (!action) return [];
    return action.cluster ? [action.cluster as string] : ((action.weighted_clusters?.clusters ?? []) as Json[]).map((c) => c.name as string);
  })));
}

const unique = (names: string[]) => [...new Set(names)].sort();

export function renderCase(inYaml: string): string {
  const { spec, objectsYaml } = splitCase(inYaml);
  const snapshot = buildSnapshot(objectsFrom(objectsYaml), undefined);
  const proxy = grpcProxy(spec.proxy);
  const gen = generator({ ...defaultMeshConfig(), ...spec.mesh });
  const diagnostics: TranslateDiagnostic[] = [];
  const ask = (typeUrl: string, names: string[] | undefined) => {
    const out = gen.generate(snapshot, proxy, typeUrl, names);
    assertEncodable(out.resources);
    diagnostics.push(...out.diagnostics);
    return out.resources;
  };
  const lds = ask(T.Listener, spec.listeners === '*' ? undefined : spec.listeners ?? []);
  const rds = ask(T.RouteConfiguration, unique(routeNames(lds)));
  const cdsNames = spec.clusters === '*' ? undefined : unique([...clusterNames(rds), ...(spec.clusters ?? [])]);
  const cds = ask(T.Cluster, cdsNames);
  const eds = ask(T.ClusterLoadAssignment, unique(cds.map((c) => c.name)));
  const section = (rs: readonly XdsResource[]) => rs.map((r) => r.body);
  const model = { lds: section(lds), rds: section(rds), cds: section(cds), eds: section(eds), diagnostics: unique(diagnostics.map((d) => JSON.stringify(d))).map((d) => JSON.parse(d)) };
  return stringify(JSON.parse(JSON.stringify(model)), { sortMapEntries: true, lineWidth: 0 });
}

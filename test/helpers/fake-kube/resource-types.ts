/**
 * The resources the fake serves: the built-in kinds istiod reads or writes, plus every CRD in the
 * repository's crds/ (read at start, so the fake follows the CRDs rather than a copy of them).
 * A resource is stored once per group; every served version of it shows the same object with
 * that version's apiVersion (Istio's versions share one schema, so no conversion is needed).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export interface ResourceType {
  readonly group: string; // '' for core
  readonly versions: readonly string[]; // first = storage version
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly statusSubresource: boolean;
  /** Custom resources: lists carry per-item kind/apiVersion, generation counts spec changes. */
  readonly custom: boolean;
  /** Field selectors beyond metadata.name / metadata.namespace, as the real registry allows. */
  readonly fields: readonly string[];
}

/** `group/plural`: the storage identity of a resource, independent of version. */
export const typeId = (t: ResourceType): string => `${t.group}/${t.plural}`;

export const apiVersionOf = (t: ResourceType, version = t.versions[0]!): string => (t.group ? `${t.group}/${version}` : version);

function builtin(group: string, version: string, plural: string, kind: string, namespaced: boolean, extra: Partial<ResourceType> = {}): ResourceType {
  return { group, versions: [version], plural, kind, namespaced, statusSubresource: false, custom: false, fields: [], ...extra };
}

export const BUILTIN_TYPES: readonly ResourceType[] = [
  builtin('', 'v1', 'namespaces', 'Namespace', false, { statusSubresource: true, fields: ['status.phase'] }),
  builtin('', 'v1', 'nodes', 'Node', false, { statusSubresource: true, fields: ['spec.unschedulable'] }),
  builtin('', 'v1', 'pods', 'Pod', true, { statusSubresource: true, fields: ['spec.nodeName', 'spec.serviceAccountName', 'status.phase', 'status.podIP'] }),
  builtin('', 'v1', 'services', 'Service', true, { statusSubresource: true }),
  builtin('', 'v1', 'endpoints', 'Endpoints', true),
  builtin('', 'v1', 'configmaps', 'ConfigMap', true),
  builtin('', 'v1', 'secrets', 'Secret', true, { fields: ['type'] }),
  builtin('', 'v1', 'serviceaccounts', 'ServiceAccount', true),
  builtin('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true),
  builtin('apps', 'v1', 'deployments', 'Deployment', true, { statusSubresource: true }),
  builtin('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  builtin('admissionregistration.k8s.io', 'v1', 'mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', false),
  builtin('admissionregistration.k8s.io', 'v1', 'validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', false),
];

interface CrdDoc {
  kind?: string;
  spec?: { group?: string; scope?: string; names?: { plural?: string; kind?: string }; versions?: Array<{ name?: string; served?: boolean; storage?: boolean; subresources?: { status?: unknown } }> };
}

/** The resource a CustomResourceDefinition document declares (undefined when it is not one). */
export function typeFromCrd(doc: unknown): ResourceType | undefined {
  const crd = doc as CrdDoc;
  const spec = crd?.spec;
  if (crd?.kind !== 'CustomResourceDefinition' || !spec?.group || !spec.names?.plural || !spec.names.kind) return undefined;
  const served = (spec.versions ?? []).filter((v) => v.served !== false && v.name);
  const storage = served.find((v) => v.storage) ?? served[0];
  if (!storage) return undefined;
  const versions = [storage.name!, ...served.filter((v) => v !== storage).map((v) => v.name!)];
  return { group: spec.group, versions, plural: spec.names.plural, kind: spec.names.kind, namespaced: spec.scope !== 'Cluster', statusSubresource: served.some((v) => v.subresources?.status !== undefined), custom: true, fields: [] };
}

/** The repository's crds/ directory, found from this module whether it runs from src or dist. */
export function repoCrdDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'crds')) && existsSync(join(dir, 'package.json'))) return join(dir, 'crds');
    dir = dirname(dir);
  }
  return undefined;
}

export function loadCrdTypes(dir = repoCrdDir()): ResourceType[] {
  if (!dir) return [];
  const types: ResourceType[] = [];
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const t = typeFromCrd(doc.toJS());
      if (t) types.push(t);
    }
  }
  return types;
}

/** The table of served resources, with lookups by URL segments and by test-facing name. */
export class ResourceTypes {
  private readonly types: ResourceType[] = [];

  constructor(types: readonly ResourceType[]) {
    for (const t of types) this.add(t);
  }

  add(t: ResourceType): void {
    if (this.types.some((x) => typeId(x) === typeId(t))) throw new Error(`resource ${t.plural}.${t.group} registered twice`);
    this.types.push(t);
  }

  all(): readonly ResourceType[] {
    return this.types;
  }

  /** The type served at /api(s)/{group}/{version}/{plural}. */
  byPath(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.plural === plural && t.versions.includes(version));
  }

  /** `configmaps`, `gateways.networking.istio.io` (kubectl style): plural alone when unambiguous. */
  byName(name: string): ResourceType {
    const exact = this.types.filter((t) => (t.group ? `${t.plural}.${t.group}` : t.plural) === name);
    const found = exact.length > 0 ? exact : this.types.filter((t) => t.plural === name);
    if (found.length === 1) return found[0]!;
    throw new Error(found.length === 0 ? `fake kube: unknown resource "${name}"` : `fake kube: "${name}" is ambiguous; use plural.group`);
  }
}

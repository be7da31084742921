/** Renders a Snapshot's registry and index lookups as sorted YAML for golden comparison. */
import { parseAllDocuments, stringify } from 'yaml';
import type { ConfigObject } from '../../../src/model/config.js';
import { buildSnapshot, registryOptions, type RegistryOptions, type Snapshot } from '../../../src/model/snapshot.js';
import { createValidator } from '../../../src/model/validation/validate.js';

/** options.yaml in a case directory: registry options and index queries to print. */
export interface CaseOptions {
  registry?: Partial<RegistryOptions>;
  visibleFrom?: string[];
  virtualServicesFor?: string[];
  destinationRuleFor?: Array<{ proxy: string; host: string; service?: string }>;
}

let validator: ReturnType<typeof createValidator> | undefined;

export function loadObjects(yamlText: string): { objects: ConfigObject[]; invalid: string[] } {
  const v = (validator ??= createValidator());
  const objects: ConfigObject[] = [];
  const invalid: string[] = [];
  parseAllDocuments(yamlText).forEach((doc, i) => {
    const raw: unknown = doc.toJS();
    if (raw === null || raw === undefined) return;
    const out = v.validate(raw, { source: `in.yaml#${i}` });
    if (out.object) objects.push(out.object);
    else invalid.push(`#${i} ${out.ref.kind}/${out.ref.namespace}/${out.ref.name}: ${out.errors.map((e) => JSON.stringify(e)).join('; ')}`);
  });
  return { objects, invalid };
}

function queries(snap: Snapshot, opts: CaseOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (opts.visibleFrom) {
    out.visibleServices = Object.fromEntries(opts.visibleFrom.map((ns) => [ns, snap.servicesVisibleTo(ns).map((s) => s.key)]));
  }
  if (opts.virtualServicesFor) {
    out.virtualServices = Object.fromEntries(opts.virtualServicesFor.map((ns) => [ns, snap.virtualServices.visibleTo(ns).map((v) => ({
      name: `${v.config.metadata.namespace}/${v.config.metadata.name}`, hosts: v.hosts,
    }))]));
  }
  if (opts.destinationRuleFor) {
    out.destinationRules = opts.destinationRuleFor.map((q) => ({ query: q, result: snap.destinationRules.destinationRuleFor(q.proxy, q.host, q.service) ?? null }));
  }
  return out;
}

export function renderCase(inYaml: string, opts: CaseOptions): string {
  const { objects, invalid } = loadObjects(inYaml);
  const snap = buildSnapshot(objects, undefined, registryOptions(opts.registry));
  const services = snap.registry.services.map((s) => ({ ...s, endpoints: snap.endpointsOf(s) }));
  const model = {
    services,
    diagnostics: snap.diagnostics,
    ...queries(snap, opts),
    ...(invalid.length > 0 ? { invalidInputs: invalid } : {}),
  };
  // Round-trip through JSON: drops undefined, turns frozen Maps into plain data.
  return stringify(JSON.parse(JSON.stringify(model)), { sortMapEntries: true, lineWidth: 0 });
}

/**
 * CUSTOM AuthorizationPolicies → an RBAC filter that only records which CUSTOM rule matched
 * (shadow rules, stat prefix `istio_ext_authz_`) followed by the provider's ext_authz filter,
 * which runs only when that record exists — Istio's CUSTOM action. All CUSTOM policies of a
 * workload must name the same provider. When the provider is missing, unusable or ambiguous,
 * Istio fails closed: the CUSTOM rules become DENY rules named `…-deny-due-to-bad-CUSTOM-action`.
 * Dry-run CUSTOM policies have no effect (Istio drops their shadow rules) but still count as a
 * provider reference. A provider without a TCP form (envoyExtAuthzHttp) adds nothing to TCP
 * chains.
 */
import type { ExtensionProvider } from '../../../config/mesh-types.js';
import type { ConfigObject } from '../../../model/config.js';
import type { Snapshot } from '../../../model/snapshot.js';
import { EXT_AUTHZ_SHADOW_STAT_PREFIX, ExtAuthzFilterName, isExtAuthzProvider, resolveExtAuthzProvider, type BuiltExtAuthz, type ServiceLookup } from './ext-authz-provider.js';
import type { Json } from './matchers.js';
import { specOf } from './select.js';

/** What CUSTOM policies need from the mesh: its extension providers and a registry lookup. */
export interface ExtAuthzContext {
  readonly providers: readonly ExtensionProvider[];
  readonly lookup: ServiceLookup;
}

/** A note about one CUSTOM policy (reported by the caller as a warning). */
export interface CustomNote {
  readonly policy: ConfigObject;
  readonly path: string;
  readonly reason: string;
}

export const BAD_CUSTOM_SUFFIX = '-deny-due-to-bad-CUSTOM-action';
const PROVIDER_PATH = 'spec.provider.name';

export const providerOf = (p: ConfigObject): string => specOf(p).provider?.name ?? '';

/** The one provider all CUSTOM policies use, or why there is none (Istio's getExtAuthz). */
export function pickProvider(custom: readonly ConfigObject[], ext: ExtAuthzContext | undefined): { ok: true; name: string; value: BuiltExtAuthz } | { ok: false; reason: string } {
  const names = [...new Set(custom.map(providerOf))];
  if (names.length > 1) return { ok: false, reason: `only one ext_authz provider can be used per workload, found: ${names.map((n) => JSON.stringify(n)).join(', ')}` };
  const name = names[0] ?? '';
  if (name === '') return { ok: false, reason: 'no provider named in the policy' };
  const provider = ext?.providers.find((p) => p.name === name);
  const resolved = provider && ext ? resolveExtAuthzProvider(provider, ext.lookup) : undefined;
  if (!resolved) {
    const known = (ext?.providers ?? []).filter(isExtAuthzProvider).map((p) => p.name);
    return { ok: false, reason: `no ext_authz extension provider named ${JSON.stringify(name)} in MeshConfig (available: ${known.length ? known.join(', ') : 'none'})` };
  }
  if (!resolved.ok) return { ok: false, reason: `extension provider ${JSON.stringify(name)} is unusable: ${resolved.reason}` };
  return { ok: true, name, value: resolved.value };
}

/** Istio's fail-closed rules: every enforced CUSTOM rule as a DENY rule with the bad-CUSTOM suffix. */
export function badCustomDenyRules(enforced: Json | undefined): Json | undefined {
  const policies = (enforced?.policies ?? {}) as Record<string, Json>;
  const names = Object.keys(policies);
  if (names.length === 0) return undefined;
  return { action: 'DENY', policies: Object.fromEntries(names.map((n) => [n + BAD_CUSTOM_SUFFIX, policies[n]])) };
}

/** The shadow RBAC filter and the ext_authz filter for a usable provider (none: HTTP provider on TCP). */
export function customFilters(enforced: Json | undefined, built: BuiltExtAuthz, forTCP: boolean, rbac: { name: string; type: string }): Json[] {
  const ext = forTCP ? built.tcp : built.http;
  if (!ext) return [];
  const body: Json = {
    '@type': rbac.type,
    ...(forTCP ? { stat_prefix: 'tcp.' } : {}),
    ...(enforced ? { shadow_rules: enforced } : {}),
    shadow_rules_stat_prefix: EXT_AUTHZ_SHADOW_STAT_PREFIX,
  };
  return [
    { name: rbac.name, typed_config: body },
    { name: forTCP ? ExtAuthzFilterName.Network : ExtAuthzFilterName.Http, typed_config: ext },
  ];
}

/** Warnings about CUSTOM policies that are not a failure of the provider. */
export function customNotes(custom: readonly ConfigObject[], picked: ReturnType<typeof pickProvider>, forTCP: boolean, isDryRun: (p: ConfigObject) => boolean): CustomNote[] {
  const notes: CustomNote[] = [];
  for (const p of custom) {
    if (isDryRun(p)) notes.push({ policy: p, path: 'metadata.annotations[istio.io/dry-run]', reason: 'dry-run is not supported for the CUSTOM action: this policy has no effect' });
    else if (!picked.ok) notes.push({ policy: p, path: PROVIDER_PATH, reason: `CUSTOM action fails closed, requests matching its rules are denied: ${picked.reason}` });
    else if (forTCP && !picked.value.tcp) notes.push({ policy: p, path: PROVIDER_PATH, reason: `extension provider ${JSON.stringify(picked.name)} is HTTP-only (envoyExtAuthzHttp): TCP traffic is not checked by it` });
  }
  return notes;
}

/**
 * Istio's lookup of a provider's `service` (`[<namespace>/]<hostname>`): the hostname must be a
 * registry host; without a namespace it must exist in exactly one namespace. Also requires the
 * service to be exported to the workload's namespace, so its cluster is in the proxy's CDS.
 */
export function snapshotServiceLookup(snapshot: Snapshot, workloadNamespace: string): ServiceLookup {
  return (service) => {
    const parts = service.split('/');
    const [ns, host] = parts.length === 2 ? [parts[0]!, parts[1]!] : [undefined, service];
    const found = snapshot.servicesForHost(host).filter((s) => ns === undefined || s.namespace === ns);
    const namespaces = [...new Set(found.map((s) => s.namespace))];
    if (namespaces.length === 0) return { ok: false, reason: `service ${JSON.stringify(service)} not found in the service registry` };
    if (namespaces.length > 1) return { ok: false, reason: `service ${JSON.stringify(service)} exists in namespaces ${namespaces.join(', ')}: use <namespace>/<hostname>` };
    const svc = found[0]!;
    if (!snapshot.servicesVisibleTo(workloadNamespace).some((s) => s.key === svc.key)) {
      return { ok: false, reason: `service ${svc.key} is not exported to namespace ${workloadNamespace}` };
    }
    return { ok: true, value: { hostname: svc.hostname, ports: svc.ports.map((p) => p.port) } };
  };
}

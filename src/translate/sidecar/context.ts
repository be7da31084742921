/**
 * What every sidecar builder reads: the snapshot, the proxy, the mesh config, the proxy's
 * SidecarScope (what it may see), and lookups that resolve names the way this proxy sees them.
 * Lives for one generate() call; lookups are memoized inside it.
 */
import type { MeshConfig } from '../../config/mesh-types.js';
import type { ConfigObject } from '../../model/config.js';
import type { IndexedVirtualService } from '../../model/index/virtual-service-index.js';
import type { Proxy } from '../../model/proxy.js';
import type { MeshService } from '../../model/registry/types.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { Subset } from '../../model/types/destination-rule.js';
import { EMPTY_JWKS, type JwksLookup } from '../common/authn/jwks-lookup.js';
import { Diagnostics } from '../common/diagnostics.js';
import { proxyConfigOf, proxyHeadersOf, type ListenerClass, type ProxyHeaders } from '../common/proxy-config.js';
import { serviceIdentities } from '../common/service-identities.js';
import { ruleForService, selectedRuleForService, type RuleForService } from '../common/rule-for-service.js';
import { DEFAULT_SIDECAR_FEATURES, type SidecarFeatures } from './features.js';
import { proxyInstances, type ServiceInstance } from './instances.js';
import { buildSidecarScope, type SidecarScope } from './scope.js';

export type { RuleForService } from '../common/rule-for-service.js';
export type { ServiceInstance } from './instances.js';

const byHostThenNamespace = (a: MeshService, b: MeshService) =>
  a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0;

export type OutboundMode = 'ALLOW_ANY' | 'REGISTRY_ONLY';

export class SidecarContext {
  readonly diags = new Diagnostics();
  readonly namespace: string;
  readonly domain: string;
  readonly trustDomain: string;
  private scopeMemo: SidecarScope | undefined;
  private instancesMemo: readonly ServiceInstance[] | undefined;
  private readonly rules = new Map<string, RuleForService | undefined>();
  private byHost: Map<string, MeshService> | undefined;
  private aliases: Map<string, MeshService> | undefined;
  private aliasesByTarget: Map<string, MeshService[]> | undefined;
  private servicesMemo: readonly MeshService[] | undefined;
  private readonly memos = new Map<string, unknown>();

  /** `jwks`: the key sets istiod fetched for RequestAuthentication jwksUri rules (inlined into jwt_authn). */
  constructor(
    readonly snapshot: Snapshot, readonly proxy: Proxy, readonly mesh: MeshConfig,
    readonly features: SidecarFeatures = DEFAULT_SIDECAR_FEATURES, readonly jwks: JwksLookup = EMPTY_JWKS,
  ) {
    this.namespace = proxy.namespace;
    this.domain = snapshot.options.domain;
    this.trustDomain = mesh.trustDomain;
  }

  /** The Sidecar resource that applies to this proxy (if any) and what it lets the proxy see. */
  get scope(): SidecarScope {
    return (this.scopeMemo ??= buildSidecarScope(this.snapshot, this.proxy, this.mesh, this.diags));
  }

  /**
   * Services this proxy may reach (exportTo and Sidecar egress), sorted by hostname: one per
   * hostname, so every builder agrees on what a host means (the proxy's own namespace's
   * service first, else the first by namespace, as Istio picks between same-named services).
   */
  services(): readonly MeshService[] {
    return (this.servicesMemo ??= [...this.preferredByHost().values()].sort(byHostThenNamespace));
  }

  /** The in-scope service named exactly `host`. */
  serviceForHost(host: string): MeshService | undefined {
    return this.preferredByHost().get(host);
  }

  private preferredByHost(): Map<string, MeshService> {
    if (!this.byHost) {
      this.byHost = new Map();
      this.aliases = new Map();
      for (const svc of [...this.scope.services].sort(byHostThenNamespace)) {
        const into = svc.externalName !== undefined ? this.aliases : this.byHost;
        const seen = into.get(svc.hostname);
        if (!seen || (seen.namespace !== this.namespace && svc.namespace === this.namespace)) into.set(svc.hostname, svc);
      }
    }
    return this.byHost;
  }

  /**
   * Kubernetes ExternalName Services are aliases, as in current Istio: no cluster, listener or
   * virtual host of their own. A route to an alias goes to its target's cluster, and the target's
   * virtual host also answers the alias names. This is the in-scope service an alias host stands
   * for (undefined when `host` is no alias, or its target is no service this proxy sees).
   */
  aliasTarget(host: string): MeshService | undefined {
    this.preferredByHost();
    const alias = this.aliases!.get(host);
    return alias?.externalName !== undefined ? this.byHost!.get(alias.externalName) : undefined;
  }

  /** The in-scope ExternalName Services whose externalName is `targetHost`, sorted by hostname. */
  aliasesOf(targetHost: string): readonly MeshService[] {
    if (!this.aliasesByTarget) {
      this.preferredByHost();
      this.aliasesByTarget = new Map();
      for (const alias of this.aliases!.values()) {
        const target = alias.externalName!;
        this.aliasesByTarget.set(target, [...(this.aliasesByTarget.get(target) ?? []), alias]);
      }
    }
    return this.aliasesByTarget.get(targetHost) ?? [];
  }

  /** VirtualServices bound to the mesh (gateways empty or containing `mesh`) that this proxy sees, oldest first. */
  virtualServices(): readonly IndexedVirtualService[] {
    return this.scope.virtualServices;
  }

  outboundMode(): OutboundMode {
    return this.scope.outboundTrafficPolicy;
  }

  /** The DestinationRule that applies to `service` for this proxy: a workload-selected one first, else by namespace. */
  destinationRuleFor(service: MeshService): RuleForService | undefined {
    if (!this.rules.has(service.key)) {
      const selected = selectedRuleForService(this.snapshot, this.namespace, this.proxy.metadata.labels, service);
      this.rules.set(service.key, selected ?? ruleForService(this.snapshot, this.namespace, service));
    }
    return this.rules.get(service.key);
  }

  subsetOf(rule: RuleForService | undefined, name: string): Subset | undefined {
    return rule?.spec.subsets?.find((s) => s.name === name);
  }

  /** This proxy's own service ports (the services whose endpoints are at its IPs): the inbound side. */
  instances(): readonly ServiceInstance[] {
    return (this.instancesMemo ??= proxyInstances(this.snapshot, this.proxy));
  }

  /** SPIFFE identities a client should accept from `service`: its endpoints' accounts plus spec subjectAltNames. */
  identitiesOf(service: MeshService): readonly string[] {
    return this.memo(`identities:${service.key}`, () => serviceIdentities(this.snapshot, this.trustDomain, service));
  }

  /**
   * A value computed once per generate() call under `key` (builders' own indexes over this
   * context's data), so no builder keeps state outside the context.
   */
  memo<T>(key: string, build: () => T): T {
    const found = this.memos.get(key);
    if (found !== undefined || this.memos.has(key)) return found as T;
    const built = build();
    this.memos.set(key, built);
    return built;
  }

  /** This proxy's effective ProxyConfig (PROXY_CONFIG, else the mesh default), as JSON. */
  get proxyConfig(): Readonly<Record<string, unknown>> {
    return this.memo('proxyConfig', () => proxyConfigOf(this.proxy, this.mesh));
  }

  /** ProxyConfig proxyHeaders for one listener class, with Istio's defaults. */
  proxyHeaders(cls: ListenerClass): ProxyHeaders {
    return this.memo(`proxyHeaders:${cls}`, () => proxyHeadersOf(this.proxyConfig as Record<string, unknown>, cls));
  }

  /** A config object by reference (for provenance and diagnostics). */
  config(kind: ConfigObject['kind'], namespace: string, name: string): ConfigObject | undefined {
    return this.snapshot.configs.get(kind, namespace, name);
  }
}

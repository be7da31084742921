/**
 * What every grpc builder reads: the snapshot, the proxy, the mesh config, and lookups that
 * resolve names the way a client in the proxy's namespace sees them. Lives for one generate().
 */
import type { MeshConfig } from '../../config/mesh-types.js';
import type { Proxy } from '../../model/proxy.js';
import { isVisibleTo } from '../../model/registry/export-to.js';
import type { MeshService, MeshServicePort } from '../../model/registry/types.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { Subset } from '../../model/types/destination-rule.js';
import { Diagnostics } from '../common/diagnostics.js';
import { ruleForService, type RuleForService } from '../common/rule-for-service.js';

export type { RuleForService } from '../common/rule-for-service.js';

export class GrpcContext {
  readonly diags = new Diagnostics();
  readonly namespace: string;
  readonly domain: string;

  constructor(readonly snapshot: Snapshot, readonly proxy: Proxy, readonly mesh: MeshConfig) {
    this.namespace = proxy.namespace;
    this.domain = snapshot.options.domain;
  }

  /** The service named exactly `host` that the proxy's namespace may see (its own namespace's first). */
  serviceForHost(host: string): MeshService | undefined {
    const visible = this.snapshot.servicesForHost(host).filter((s) => isVisibleTo(s.exportTo, s.namespace, this.namespace));
    return visible.find((s) => s.namespace === this.namespace) ?? visible[0];
  }

  /**
   * The service a client in the proxy's namespace reaches by dialing `name`: the exact host, or a
   * Kubernetes short form resolved as the pod's DNS search path would (`name`, `name.ns`, `name.ns.svc`).
   */
  resolveDialedHost(name: string): MeshService | undefined {
    for (const candidate of this.hostCandidates(name)) {
      const svc = this.serviceForHost(candidate);
      if (svc) return svc;
    }
    return undefined;
  }

  private hostCandidates(name: string): string[] {
    const labels = name.split('.');
    const out = [name];
    if (labels.length === 1) out.push(`${name}.${this.namespace}.svc.${this.domain}`);
    else if (labels.length === 2) out.push(`${name}.svc.${this.domain}`);
    else if (labels.length === 3 && labels[2] === 'svc') out.push(`${name}.${this.domain}`);
    return out;
  }

  destinationRuleFor(service: MeshService): RuleForService | undefined {
    return ruleForService(this.snapshot, this.namespace, service);
  }

  subsetOf(rule: RuleForService | undefined, name: string): Subset | undefined {
    return rule?.spec.subsets?.find((s) => s.name === name);
  }
}

export function portOf(service: MeshService, port: number): MeshServicePort | undefined {
  return service.ports.find((p) => p.port === port);
}

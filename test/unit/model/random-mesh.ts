/**
 * Random registry inputs for differential tests: a small universe of names (so objects collide,
 * refer to each other and get replaced and removed often) over Services, EndpointSlices, Pods,
 * Namespaces, Nodes, ServiceEntries and WorkloadEntries, in the config cluster and a remote one.
 */
import type { ConfigObject } from '../../../src/model/config.js';
import type { KindName } from '../../../src/model/kinds.js';

/** Deterministic PRNG (mulberry32): a failing seed replays exactly. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class RandomMesh {
  constructor(private readonly r: () => number) {}

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.r() * items.length)]!;
  }

  chance(p: number): boolean {
    return this.r() < p;
  }

  private meta(kind: KindName, namespace: string, name: string, labels: Record<string, string>, cluster: string | undefined, extra: Record<string, unknown> = {}): Omit<ConfigObject, 'spec'> {
    const metadata = { name, namespace, labels, annotations: {}, creationTimestamp: this.pick(['2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z']), ...extra };
    return { kind, apiVersion: 'v1', metadata, ...(cluster !== undefined ? { cluster } : {}) };
  }

  private ns(): string {
    return this.pick(['a', 'b']);
  }

  private cluster(): string | undefined {
    return this.chance(0.7) ? undefined : 'west';
  }

  service(): ConfigObject {
    const labels: Record<string, string> = this.chance(0.15) ? { 'topology.istio.io/network': this.pick(['n1', 'n2']) } : {};
    const external = this.chance(0.1);
    const spec = {
      type: external ? 'ExternalName' : 'ClusterIP',
      ...(external ? { externalName: 'x.example.com' } : {}),
      clusterIP: this.pick(['10.96.0.1', '10.96.0.2', 'None']),
      ...(this.chance(0.8) ? { selector: { app: this.pick(['x', 'y']) } } : {}),
      ports: [{ name: 'http', port: this.pick([80, 0]), targetPort: this.pick([8080, 'http-web', 'bad name!']) }, ...(this.chance(0.3) ? [{ name: 'grpc', port: 90 }] : [])],
    };
    const status = this.chance(0.3) ? { loadBalancer: { ingress: [{ ip: this.pick(['35.0.0.1', '35.0.0.2']) }] } } : {};
    return { ...this.meta('Service', this.ns(), this.pick(['s1', 's2', 's3']), labels, this.cluster()), spec: { spec, status } };
  }

  slice(): ConfigObject {
    const labels: Record<string, string> = this.chance(0.9) ? { 'kubernetes.io/service-name': this.pick(['s1', 's2', 's3', 'gone']) } : {};
    const endpoints = Array.from({ length: 1 + Math.floor(this.r() * 3) }, () => ({
      addresses: [this.pick(['10.1.0.1', '10.1.0.2', '10.1.0.3', 'bogus'])],
      conditions: this.pick([{ ready: true }, { ready: false }, { ready: false, terminating: true, serving: true }, {}]),
      ...(this.chance(0.8) ? { targetRef: { kind: 'Pod', name: this.pick(['p1', 'p2', 'p3']), ...(this.chance(0.1) ? { namespace: this.ns() } : {}) } } : {}),
      ...(this.chance(0.5) ? { nodeName: this.pick(['n1', 'n2']) } : {}),
      ...(this.chance(0.3) ? { zone: 'z-slice' } : {}),
    }));
    const spec = { addressType: this.chance(0.05) ? 'FQDN' : 'IPv4', ports: [{ name: this.pick(['http', 'grpc']), port: this.pick([8080, 9090, 70000]) }], endpoints };
    return { ...this.meta('EndpointSlice', this.ns(), this.pick(['e1', 'e2', 'e3', 'e4']), labels, this.cluster()), spec };
  }

  pod(): ConfigObject {
    const labels: Record<string, string> = { app: this.pick(['x', 'y']) };
    if (this.chance(0.2)) labels['topology.istio.io/network'] = this.pick(['n1', 'n2']);
    if (this.chance(0.1)) labels['istio-locality'] = 'r.z.s';
    if (this.chance(0.3)) labels['security.istio.io/tlsMode'] = 'istio';
    const extra = this.chance(0.1) ? { deletionTimestamp: '2024-02-01T00:00:00Z' } : {};
    const spec = {
      spec: { nodeName: this.pick(['n1', 'n2']), serviceAccountName: this.pick(['sa1', 'sa2']), containers: [{ name: 'c', ports: [{ name: 'http-web', containerPort: this.pick([8080, 8081]) }] }] },
      status: { phase: this.pick(['Running', 'Running', 'Pending']), podIP: this.pick(['10.1.0.1', '10.1.0.2', '10.1.0.3']), conditions: [{ type: 'Ready', status: this.pick(['True', 'False']) }] },
    };
    return { ...this.meta('Pod', this.ns(), this.pick(['p1', 'p2', 'p3']), labels, this.cluster(), extra), spec };
  }

  namespace(): ConfigObject {
    const labels: Record<string, string> = this.chance(0.5) ? { 'topology.istio.io/network': this.pick(['n1', 'n2', '']) } : {};
    return { ...this.meta('Namespace', '', this.pick(['a', 'b', 'istio-system']), labels, this.cluster()), spec: {} };
  }

  node(): ConfigObject {
    const labels: Record<string, string> = {};
    if (this.chance(0.7)) labels['topology.kubernetes.io/region'] = this.pick(['r1', 'r2']);
    if (this.chance(0.7)) labels['topology.kubernetes.io/zone'] = this.pick(['z1', 'z2', '']);
    if (this.chance(0.2)) labels.unrelated = this.pick(['u1', 'u2']);
    return { ...this.meta('Node', '', this.pick(['n1', 'n2']), labels, this.cluster()), spec: {} };
  }

  serviceEntry(): ConfigObject {
    const selector = this.chance(0.4);
    const spec = {
      hosts: this.chance(0.5) ? [this.pick(['ext.example.com', 's1.a.svc.cluster.local'])] : ['ext.example.com', this.pick(['s2.b.svc.cluster.local', 'w.example.com'])],
      resolution: this.pick(['STATIC', 'DNS', 'NONE']),
      location: 'MESH_INTERNAL',
      ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
      ...(selector ? { workloadSelector: { labels: { app: this.pick(['x', 'y']) } } } : this.chance(0.5) ? { endpoints: [{ address: this.pick(['1.2.3.4', 'not an ip']) }] } : {}),
    };
    return { ...this.meta('ServiceEntry', this.ns(), this.pick(['se1', 'se2']), {}, this.chance(0.9) ? undefined : 'west'), spec };
  }

  workloadEntry(): ConfigObject {
    const spec = { address: this.pick(['10.2.0.1', '10.2.0.2', 'nope']), labels: { app: this.pick(['x', 'y']) }, serviceAccount: this.pick(['vm', '']), ...(this.chance(0.3) ? { network: 'n1' } : {}) };
    return { ...this.meta('WorkloadEntry', this.ns(), this.pick(['we1', 'we2']), {}, undefined), spec };
  }

  any(): ConfigObject {
    const kind = this.pick(['service', 'slice', 'slice', 'pod', 'pod', 'namespace', 'node', 'serviceEntry', 'workloadEntry'] as const);
    return this[kind]();
  }
}

/**
 * Test harness for the ADS server: a fake Generator whose resources the test controls per
 * snapshot version (and which records every generate call), resource body builders, a metrics
 * recorder, and a loopback server with a `publish()` that builds the next snapshot.
 */
import type { ChangeSet } from '../../../src/model/change-set.js';
import type { Proxy } from '../../../src/model/proxy.js';
import { buildSnapshot, type Snapshot } from '../../../src/model/snapshot.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { createAdsServer } from '../../../src/serve/ads-server.js';
import type { AdsLimits, AdsServer, XdsMetrics } from '../../../src/serve/types.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import type { Generated, Generator, XdsResource } from '../../../src/translate/types.js';
import { XdsClient, type XdsClientOptions } from '../../helpers/xds-client.js';

export const CDS = TypeUrl.Cluster;
export const EDS = TypeUrl.ClusterLoadAssignment;
export const LDS = TypeUrl.Listener;
export const RDS = TypeUrl.RouteConfiguration;

/** type URL → resource name → body. */
export type World = Partial<Record<string, Record<string, Record<string, unknown>>>>;

export function cluster(name: string, timeoutSeconds = 1): Record<string, unknown> {
  return { '@type': CDS, name, type: 'EDS', connect_timeout: { seconds: timeoutSeconds } };
}

export function endpoints(name: string, ips: readonly string[] = ['10.0.0.1']): Record<string, unknown> {
  return {
    '@type': EDS,
    cluster_name: name,
    endpoints: [{ lb_endpoints: ips.map((ip) => ({ endpoint: { address: { socket_address: { address: ip, port_value: 8080 } } } })) }],
  };
}

export function listener(name: string, port = 80): Record<string, unknown> {
  return { '@type': LDS, name, address: { socket_address: { address: '0.0.0.0', port_value: port } } };
}

export function route(name: string, domain = '*'): Record<string, unknown> {
  return { '@type': RDS, name, virtual_hosts: [{ name: 'vh', domains: [domain] }] };
}

export interface GenerateCall {
  readonly version: number;
  readonly typeUrl: string;
  readonly names: readonly string[] | undefined;
  readonly proxy: string;
}

export class FakeGenerator implements Generator {
  readonly name = 'fake';
  readonly typeUrls = [CDS, EDS, LDS, RDS];
  readonly nameScopedTypeUrls: string[] = [];
  readonly worlds = new Map<number, World>();
  readonly calls: GenerateCall[] = [];
  /** Scope: by default every proxy shares one scope. */
  scope: (proxy: Proxy) => string = () => 'shared';

  scopeKey(proxy: Proxy): string {
    return this.scope(proxy);
  }

  generate(snapshot: Snapshot, proxy: Proxy, typeUrl: string, names: readonly string[] | undefined): Generated {
    this.calls.push({ version: snapshot.version, typeUrl, names: names ? [...names].sort() : undefined, proxy: proxy.id });
    const all = this.worlds.get(snapshot.version)?.[typeUrl] ?? {};
    const picked = names === undefined ? Object.keys(all) : names.filter((n) => n in all);
    const resources: XdsResource[] = picked.map((name) => ({ name, body: all[name]! }));
    return { resources, diagnostics: [] };
  }

  affectedByEndpoints(changes: ChangeSet, typeUrl: string, name: string): boolean {
    return typeUrl === EDS && changes.endpointsChanged.includes(name);
  }

  callsFor(version: number, typeUrl?: string): GenerateCall[] {
    return this.calls.filter((c) => c.version === version && (typeUrl === undefined || c.typeUrl === typeUrl));
  }
}

export class RecordingMetrics implements XdsMetrics {
  opened = 0;
  closed = 0;
  readonly pushes: string[] = [];
  readonly rejects: string[] = [];
  readonly disconnects: string[] = [];
  convergences = 0;
  connectionOpened(): void {
    this.opened++;
  }
  connectionClosed(): void {
    this.closed++;
  }
  pushed(type: string): void {
    this.pushes.push(type);
  }
  converged(): void {
    this.convergences++;
  }
  rejected(type: string): void {
    this.rejects.push(type);
  }
  disconnected(reason: string): void {
    this.disconnects.push(reason);
  }
}

export function nodeFor(pod: string, ns = 'default', metadata: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: `sidecar~10.1.0.1~${pod}.${ns}~${ns}.svc.cluster.local`, metadata: { NAMESPACE: ns, ...metadata }, locality: { region: 'r1' } };
}

export interface TestServer {
  readonly server: AdsServer;
  readonly address: string;
  readonly generator: FakeGenerator;
  readonly metrics: RecordingMetrics;
  /** Publishes the next snapshot with `world`; endpoints-only when `endpointsChanged` is given. */
  publish(world: World, endpointsChanged?: readonly string[]): number;
  client(pod: string, options?: Partial<XdsClientOptions>): XdsClient;
  close(): Promise<void>;
}

export async function startServer(options: { limits?: Partial<AdsLimits>; generatorFor?: (proxy: Proxy, fake: FakeGenerator) => Generator | undefined } = {}): Promise<TestServer> {
  const generator = new FakeGenerator();
  const metrics = new RecordingMetrics();
  const server = createAdsServer({
    generatorFor: (proxy) => (options.generatorFor ? options.generatorFor(proxy, generator) : generator),
    logger: silentLogger,
    metrics,
    limits: options.limits ?? {},
  });
  const port = await server.listen('127.0.0.1', 0);
  const address = `127.0.0.1:${port}`;
  const clients: XdsClient[] = [];
  let previous: Snapshot | undefined;
  return {
    server,
    address,
    generator,
    metrics,
    publish(world, endpointsChanged) {
      const snapshot = buildSnapshot([], previous);
      generator.worlds.set(snapshot.version, world);
      const changes: ChangeSet = {
        fromVersion: previous?.version ?? 0,
        toVersion: snapshot.version,
        full: previous === undefined,
        kinds: endpointsChanged ? ['ServiceEntry'] : ['VirtualService'],
        keys: [],
        servicesChanged: [],
        endpointsChanged: endpointsChanged ?? [],
        endpointsOnly: endpointsChanged !== undefined,
      };
      previous = snapshot;
      server.onSnapshot(snapshot, changes, Date.now());
      return snapshot.version;
    },
    client(pod, clientOptions = {}) {
      const c = XdsClient.connect({ address, node: nodeFor(pod), ...clientOptions });
      clients.push(c);
      return c;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await server.close();
    },
  };
}

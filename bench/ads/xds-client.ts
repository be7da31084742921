/**
 * One simulated ADS client: its own HTTP/2 connection (a private grpc-js subchannel pool), SotW
 * or delta, auto-ACKing every response and following references the way a sidecar without
 * Sidecar scoping does (wildcard CDS → EDS for each EDS cluster; wildcard LDS → RDS for each
 * route name), or the lighter proxyless way (one listener → its route → its clusters → their
 * endpoints). It reconnects with jittered exponential backoff, as Envoy does, and keeps what it
 * holds across reconnects (delta sends it back as initial_resource_versions).
 */
import * as grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { messageType } from '../../src/serve/proto/envoy-root.js';
import { TypeUrl } from '../../src/translate/type-urls.js';
import { edsServiceName, listenerRouteNames, readDeltaResponse, readSotwResponse, resourceName, routeClusterNames, type WireDeltaResponse, type WireSotwResponse } from './wire.js';

export type Protocol = 'sotw' | 'delta';
export type Mode = 'full' | 'proxyless';

const SERVICE = '/envoy.service.discovery.v3.AggregatedDiscoveryService';
const TYPES = [TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Listener, TypeUrl.RouteConfiguration];

export interface ClientOptions {
  readonly index: number;
  readonly target: string;
  readonly protocol: Protocol;
  readonly mode: Mode;
  /** Proxyless mode: the one listener asked for. */
  readonly listener: string;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

export interface ChangedResource {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface ClientEvents {
  /** After the ACK for a response of `typeUrl` was sent; `changed` are the resources it carried. */
  acked(client: SimClient, typeUrl: string, changed: readonly ChangedResource[]): void;
  nacked?(client: SimClient, typeUrl: string): void;
  streamClosed(client: SimClient, reason: string): void;
}

interface Held {
  readonly bytes: Uint8Array;
  readonly version: string;
}

interface TypeState {
  /** undefined = wildcard. */
  names: Set<string> | undefined;
  readonly held: Map<string, Held>;
  version: string;
  nonce: string;
  /** A response for this type has been ACKed on the current stream. */
  ackedOnStream: boolean;
  /** Whether this type has been asked for at all (dependent types start unasked). */
  requested: boolean;
}

let requestTypes: { sotw: protobuf.Type; delta: protobuf.Type } | undefined;

/** Close reasons are counted by text: keep the first sentence, without addresses and ports. */
function shortDetails(details: string): string {
  return (details.split('. ')[0] ?? '').replace(/\d+\.\d+\.\d+\.\d+:\d+/g, '<addr>').slice(0, 100);
}

/** Loads the Envoy protos (a few hundred ms) so the first client does not pay for it inside a measurement. */
export function preloadTypes(): void {
  types();
}

function types() {
  requestTypes ??= {
    sotw: messageType('envoy.service.discovery.v3.DiscoveryRequest'),
    delta: messageType('envoy.service.discovery.v3.DeltaDiscoveryRequest'),
  };
  return requestTypes;
}

function nodeFor(index: number): Record<string, unknown> {
  const ip = `10.200.${(index >> 8) & 255}.${index & 255}`;
  return {
    id: `sidecar~${ip}~sim-${index}.bench~bench.svc.cluster.local`,
    user_agent_name: 'istiod-ts-bench',
    locality: { region: 'us-east1', zone: index % 2 === 0 ? 'us-east1-b' : 'us-east1-c' },
    metadata: {
      GENERATOR: 'grpc', NAMESPACE: 'bench', ISTIO_VERSION: '1.24.0', CLUSTER_ID: 'Kubernetes',
      INSTANCE_IPS: ip, SERVICE_ACCOUNT: 'default', LABELS: { app: 'sim' }, WORKLOAD_NAME: 'sim',
    },
  };
}

/** Which type's subscription follows from which: CDS → EDS, LDS → RDS, and in proxyless mode RDS → CDS. */
function dependentOf(typeUrl: string, mode: Mode): { type: string; refs: (bytes: Uint8Array) => readonly string[] } | undefined {
  if (typeUrl === TypeUrl.Cluster) return { type: TypeUrl.ClusterLoadAssignment, refs: (b) => { const n = edsServiceName(b); return n ? [n] : []; } };
  if (typeUrl === TypeUrl.Listener) return { type: TypeUrl.RouteConfiguration, refs: listenerRouteNames };
  if (typeUrl === TypeUrl.RouteConfiguration && mode === 'proxyless') return { type: TypeUrl.Cluster, refs: routeClusterNames };
  return undefined;
}

export class SimClient {
  readonly types = new Map<string, TypeState>();
  private channel: grpc.Client | undefined;
  private call: grpc.ClientDuplexStream<Uint8Array, unknown> | undefined;
  private firstOnStream = true;
  private closed = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly node: Record<string, unknown>;
  /** Streams opened, and responses received on the current stream. */
  streams = 0;
  responses = 0;

  constructor(private readonly opts: ClientOptions, private readonly events: ClientEvents) {
    this.node = nodeFor(opts.index);
    const proxyless = opts.mode === 'proxyless';
    for (const t of TYPES) {
      const wildcard = !proxyless && (t === TypeUrl.Cluster || t === TypeUrl.Listener);
      const initial = proxyless && t === TypeUrl.Listener ? new Set([opts.listener]) : wildcard ? undefined : new Set<string>();
      this.types.set(t, { names: initial, held: new Map(), version: '', nonce: '', ackedOnStream: false, requested: wildcard || initial!.size > 0 });
    }
  }

  get index(): number {
    return this.opts.index;
  }

  get connected(): boolean {
    return this.call !== undefined && this.responses > 0;
  }

  start(): void {
    this.closed = false;
    this.openStream();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.call?.cancel();
    this.call = undefined;
    this.channel?.close();
    this.channel = undefined;
  }

  /** Every requested type ACKed on this stream, every named resource held, and at least `min` of each wildcard type. */
  isConverged(minWildcard: number): boolean {
    if (this.call === undefined) return false;
    for (const st of this.types.values()) {
      if (!st.requested || st.names?.size === 0) continue;
      if (!st.ackedOnStream) return false;
      if (st.names === undefined) {
        if (st.held.size < minWildcard) return false;
      } else {
        for (const n of st.names) if (!st.held.has(n)) return false;
      }
    }
    return true;
  }

  private openStream(): void {
    this.channel = new grpc.Client(this.opts.target, grpc.credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1,
      'grpc.max_receive_message_length': 256 * 1024 * 1024,
      'grpc.enable_retries': 0,
    });
    const delta = this.opts.protocol === 'delta';
    const method = `${SERVICE}/${delta ? 'DeltaAggregatedResources' : 'StreamAggregatedResources'}`;
    // Responses are read with the small wire reader, not protobufjs: thousands of clients share one core.
    const read = delta ? readDeltaResponse : readSotwResponse;
    const call = this.channel.makeBidiStreamRequest<Uint8Array, unknown>(method, (b) => Buffer.from(b), read);
    this.call = call;
    this.streams++;
    this.responses = 0;
    this.firstOnStream = true;
    for (const st of this.types.values()) st.ackedOnStream = false;
    call.on('data', (msg: unknown) => {
      if (this.call !== call) return;
      this.responses++;
      this.attempt = 0;
      if (delta) this.onDelta(msg as WireDeltaResponse);
      else this.onSotw(msg as WireSotwResponse);
    });
    call.on('error', (err: grpc.ServiceError) => this.onClosed(call, `${grpc.status[err.code] ?? err.code}: ${shortDetails(err.details)}`));
    call.on('end', () => this.onClosed(call, 'stream ended by server'));
    for (const t of TYPES) {
      const st = this.types.get(t)!;
      if (st.requested) this.sendInitial(t, st);
    }
  }

  private onClosed(call: grpc.ClientDuplexStream<Uint8Array, unknown>, reason: string): void {
    if (this.call !== call) return;
    this.call = undefined;
    this.channel?.close();
    this.channel = undefined;
    for (const st of this.types.values()) st.ackedOnStream = false;
    this.events.streamClosed(this, reason);
    if (this.closed) return;
    const ceiling = Math.min(this.opts.backoffMaxMs, this.opts.backoffBaseMs * 2 ** this.attempt++);
    this.timer = setTimeout(() => this.openStream(), Math.random() * ceiling);
  }

  private write(bytes: Uint8Array): void {
    this.call?.write(bytes);
  }

  private withNode(req: Record<string, unknown>): Record<string, unknown> {
    if (!this.firstOnStream) return req;
    this.firstOnStream = false;
    return { ...req, node: this.node };
  }

  private sendInitial(typeUrl: string, st: TypeState): void {
    if (this.opts.protocol === 'delta') {
      const initial = Object.fromEntries([...st.held].map(([n, h]) => [n, h.version]));
      this.sendDelta({ type_url: typeUrl, resource_names_subscribe: st.names ? [...st.names] : [], initial_resource_versions: initial });
    } else {
      this.sendSotw({ type_url: typeUrl, version_info: st.version, resource_names: st.names ? [...st.names] : [] });
    }
  }

  private sendSotw(req: Record<string, unknown>): void {
    const t = types().sotw;
    this.write(t.encode(t.fromObject(this.withNode(req))).finish());
  }

  private sendDelta(req: Record<string, unknown>): void {
    const t = types().delta;
    this.write(t.encode(t.fromObject(this.withNode(req))).finish());
  }

  private onSotw(res: WireSotwResponse): void {
    const st = this.types.get(res.type_url);
    if (!st) return this.sendSotw({ type_url: res.type_url, response_nonce: res.nonce, version_info: res.version_info });
    const changed = res.resources.map((any) => ({ name: resourceName(any.value), bytes: any.value }));
    // Wildcard (CDS/LDS) responses are the full set: omission means removal.
    if (st.names === undefined) st.held.clear();
    for (const r of changed) st.held.set(r.name, { bytes: r.bytes, version: res.version_info });
    st.version = res.version_info;
    st.nonce = res.nonce;
    st.ackedOnStream = true;
    this.sendSotw({ type_url: res.type_url, version_info: res.version_info, response_nonce: res.nonce, resource_names: st.names ? [...st.names] : [] });
    this.events.acked(this, res.type_url, changed);
    this.followReferences(res.type_url, st);
  }

  private onDelta(res: WireDeltaResponse): void {
    const st = this.types.get(res.type_url);
    if (!st) return this.sendDelta({ type_url: res.type_url, response_nonce: res.nonce });
    const changed: ChangedResource[] = [];
    for (const r of res.resources) {
      const bytes = r.resource?.value ?? new Uint8Array();
      st.held.set(r.name, { bytes, version: r.version });
      changed.push({ name: r.name, bytes });
    }
    for (const name of res.removed_resources) st.held.delete(name);
    st.nonce = res.nonce;
    st.ackedOnStream = true;
    this.sendDelta({ type_url: res.type_url, response_nonce: res.nonce });
    this.events.acked(this, res.type_url, changed);
    this.followReferences(res.type_url, st);
  }

  /** Re-derives the dependent type's names from everything held of `typeUrl`, and updates that subscription. */
  private followReferences(typeUrl: string, st: TypeState): void {
    const dep = dependentOf(typeUrl, this.opts.mode);
    if (!dep) return;
    const want = new Set<string>();
    for (const h of st.held.values()) for (const n of dep.refs(h.bytes)) want.add(n);
    const target = this.types.get(dep.type)!;
    const had = target.names ?? new Set<string>();
    const added = [...want].filter((n) => !had.has(n));
    const removed = [...had].filter((n) => !want.has(n));
    if (added.length === 0 && removed.length === 0 && target.requested) return;
    target.names = want;
    target.requested = true;
    for (const n of removed) target.held.delete(n);
    if (this.opts.protocol === 'delta') {
      this.sendDelta({ type_url: dep.type, resource_names_subscribe: added, resource_names_unsubscribe: removed });
    } else {
      this.sendSotw({ type_url: dep.type, version_info: target.version, response_nonce: target.nonce, resource_names: [...want] });
    }
  }
}

/**
 * A small in-repo ADS client (SotW and delta) for tests, on @grpc/grpc-js with the Envoy
 * protobufjs types. It keeps what a real client keeps (subscriptions, resources by type,
 * last nonce/version) and ACKs automatically unless told not to.
 *
 *   const c = XdsClient.connect({ address, node: { id: 'sidecar~10.0.0.1~a.ns~ns.svc.cluster.local' } });
 *   c.subscribe(TypeUrl.Cluster);                 // SotW: first empty list = wildcard
 *   const r = await c.next(TypeUrl.Cluster);      // next unread response of that type
 *   c.resources(TypeUrl.Cluster)                  // Map name → { version, body }
 *   const again = c.reconnect();                  // delta: sends initial_resource_versions
 *   await c.close();
 *
 * `next(type)` reads responses of one type in arrival order (each returned once); `waitFor`
 * polls any condition. `ended` resolves with the stream's final status.
 */
import * as grpc from '@grpc/grpc-js';
import { messageType } from '../../src/serve/proto/envoy-root.js';
import { decodeResource } from '../../src/serve/proto/encode.js';
import { allowsWildcard } from '../../src/translate/type-urls.js';

export type XdsProtocol = 'sotw' | 'delta';

export interface XdsClientOptions {
  /** `host:port`. */
  readonly address: string;
  /** The Envoy node (`id`, `metadata` as plain JSON, `locality`...). Sent on the first request only. */
  readonly node: Record<string, unknown>;
  readonly protocol?: XdsProtocol;
  /** ACK every response automatically (default true). */
  readonly autoAck?: boolean;
  /** Delta: versions the client claims to hold, by type URL, sent with each type's first request. */
  readonly initialVersions?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** TLS (the secure port): channel credentials, channel options (e.g. target name override) and call metadata (a bearer token). */
  readonly tls?: { readonly credentials: grpc.ChannelCredentials; readonly channelOptions?: grpc.ChannelOptions; readonly metadata?: grpc.Metadata };
}

export interface ReceivedResource {
  readonly name: string;
  /** Delta: the resource version; SotW: the response's version_info. */
  readonly version: string;
  readonly body: Record<string, unknown>;
}

export interface Received {
  readonly typeUrl: string;
  /** SotW version_info or delta system_version_info. */
  readonly versionInfo: string;
  readonly nonce: string;
  readonly resources: readonly ReceivedResource[];
  /** Delta only. */
  readonly removed: readonly string[];
}

export interface FinalStatus {
  readonly code: grpc.status;
  readonly details: string;
}

interface TypeState {
  /** Names as the client sends them (`*` included when asked for explicitly). */
  readonly names: Set<string>;
  lastNonce: string;
  /** The version last ACKed (what a SotW request's version_info carries). */
  ackedVersion: string;
  receivedVersion: string;
  /** A request for this type was sent on this stream. */
  requested: boolean;
  readonly held: Map<string, ReceivedResource>;
  cursor: number;
}

const SERVICE = '/envoy.service.discovery.v3.AggregatedDiscoveryService';

export class XdsClient {
  /** Every response, in arrival order. */
  readonly responses: Received[] = [];
  /** Resolves when the stream ends, with its status. */
  readonly ended: Promise<FinalStatus>;
  private readonly grpcClient: grpc.Client;
  private readonly call: grpc.ClientDuplexStream<unknown, Received>;
  private readonly types = new Map<string, TypeState>();
  private nodeSent = false;
  private status: FinalStatus | undefined;

  private constructor(readonly options: XdsClientOptions) {
    const protocol = options.protocol ?? 'sotw';
    this.grpcClient = new grpc.Client(options.address, options.tls?.credentials ?? grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1, ...options.tls?.channelOptions });
    const [method, requestType] = protocol === 'sotw'
      ? ['StreamAggregatedResources', 'envoy.service.discovery.v3.DiscoveryRequest']
      : ['DeltaAggregatedResources', 'envoy.service.discovery.v3.DeltaDiscoveryRequest'];
    const reqType = messageType(requestType);
    const serialize = (req: unknown) => (Buffer.isBuffer(req) ? req : Buffer.from(reqType.encode(reqType.fromObject(req as Record<string, unknown>)).finish()));
    this.call = this.grpcClient.makeBidiStreamRequest(`${SERVICE}/${method}`, serialize, (bytes: Buffer) => decodeResponse(protocol, bytes), options.tls?.metadata ?? new grpc.Metadata());
    this.ended = new Promise((resolve) => {
      this.call.on('status', (s: grpc.StatusObject) => resolve((this.status = { code: s.code, details: s.details })));
    });
    this.call.on('error', () => undefined); // surfaced through `ended`
    this.call.on('data', (r: Received) => this.onResponse(r));
  }

  static connect(options: XdsClientOptions): XdsClient {
    return new XdsClient(options);
  }

  get protocol(): XdsProtocol {
    return this.options.protocol ?? 'sotw';
  }

  /** The final status once the stream has ended, else undefined. */
  get finalStatus(): FinalStatus | undefined {
    return this.status;
  }

  /**
   * SotW: adds `names` to the type's list and sends the full list (no names on a type's first
   * request = legacy wildcard for LDS/CDS; `*` = explicit wildcard). Delta: sends them in
   * resource_names_subscribe (plus initial_resource_versions on the type's first request).
   */
  subscribe(typeUrl: string, names: readonly string[] = []): void {
    const state = this.state(typeUrl);
    const first = !state.requested;
    state.requested = true;
    for (const n of names) state.names.add(n);
    if (this.protocol === 'sotw') return this.sendSotw(typeUrl, state, undefined);
    const initial = first ? this.options.initialVersions?.[typeUrl] : undefined;
    this.send({ type_url: typeUrl, resource_names_subscribe: [...names], ...(initial ? { initial_resource_versions: initial } : {}) });
  }

  unsubscribe(typeUrl: string, names: readonly string[]): void {
    const state = this.state(typeUrl);
    for (const n of names) {
      state.names.delete(n);
      if (this.protocol === 'delta') state.held.delete(n);
    }
    if (this.protocol === 'sotw') return this.sendSotw(typeUrl, state, undefined);
    this.send({ type_url: typeUrl, resource_names_unsubscribe: [...names] });
  }

  /** ACKs the latest response of the type (only needed with autoAck false). */
  ack(typeUrl: string): void {
    this.reply(typeUrl, undefined);
  }

  /** NACKs the latest response of the type with `message`. */
  nack(typeUrl: string, message: string): void {
    this.reply(typeUrl, message);
  }

  /** Sends a raw request object (snake_case, as in the proto) or already-encoded bytes. */
  send(request: Record<string, unknown> | Buffer): void {
    if (!Buffer.isBuffer(request) && !this.nodeSent) {
      this.nodeSent = true;
      request = { node: this.options.node, ...request };
    }
    this.call.write(request);
  }

  /** The next unread response of `typeUrl` (each response is returned once). */
  async next(typeUrl: string, timeoutMs = 5000): Promise<Received> {
    const state = this.state(typeUrl);
    const found = await this.waitFor(`a ${typeUrl} response`, () => this.responses.filter((r) => r.typeUrl === typeUrl)[state.cursor], timeoutMs);
    state.cursor++;
    return found;
  }

  /** Polls `check` until truthy; rejects early if the stream ended. */
  async waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value) return value;
      if (this.status) throw new Error(`stream ended (${grpc.status[this.status.code]}: ${this.status.details}) while waiting for ${what}`);
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Resources currently held for a type, by name. */
  resources(typeUrl: string): ReadonlyMap<string, ReceivedResource> {
    return this.state(typeUrl).held;
  }

  /** The version last received for a type (SotW version_info / delta system_version_info). */
  version(typeUrl: string): string {
    return this.types.get(typeUrl)?.receivedVersion ?? '';
  }

  /** Stops reading responses (the server's sends back up); `resume()` reads again. */
  pause(): void {
    this.call.pause();
  }

  resume(): void {
    this.call.resume();
  }

  /**
   * A new stream with the same node and subscriptions. For delta it claims the resources held
   * here in initial_resource_versions, as a real client does after a reconnect.
   */
  reconnect(options: Partial<XdsClientOptions> = {}): XdsClient {
    const initialVersions: Record<string, Record<string, string>> = {};
    for (const [typeUrl, s] of this.types) initialVersions[typeUrl] = Object.fromEntries([...s.held].map(([n, r]) => [n, r.version]));
    const next = new XdsClient({ ...this.options, ...(this.protocol === 'delta' ? { initialVersions } : {}), ...options });
    for (const [typeUrl, s] of this.types) {
      for (const [name, r] of s.held) next.state(typeUrl).held.set(name, r); // a client keeps its cache
      next.subscribe(typeUrl, [...s.names]);
    }
    return next;
  }

  async close(): Promise<void> {
    if (!this.status) {
      this.call.cancel();
      await Promise.race([this.ended, new Promise((r) => setTimeout(r, 1000))]);
    }
    this.grpcClient.close();
  }

  private state(typeUrl: string): TypeState {
    let s = this.types.get(typeUrl);
    if (!s) this.types.set(typeUrl, (s = { names: new Set(), lastNonce: '', ackedVersion: '', receivedVersion: '', requested: false, held: new Map(), cursor: 0 }));
    return s;
  }

  private sendSotw(typeUrl: string, state: TypeState, errorMessage: string | undefined): void {
    this.send({
      type_url: typeUrl,
      resource_names: [...state.names],
      version_info: state.ackedVersion,
      response_nonce: state.lastNonce,
      ...(errorMessage !== undefined ? { error_detail: { code: grpc.status.INVALID_ARGUMENT, message: errorMessage } } : {}),
    });
  }

  private reply(typeUrl: string, errorMessage: string | undefined): void {
    const state = this.state(typeUrl);
    if (errorMessage === undefined) state.ackedVersion = state.receivedVersion;
    if (this.protocol === 'sotw') return this.sendSotw(typeUrl, state, errorMessage);
    this.send({ type_url: typeUrl, response_nonce: state.lastNonce, ...(errorMessage !== undefined ? { error_detail: { code: grpc.status.INVALID_ARGUMENT, message: errorMessage } } : {}) });
  }

  private onResponse(r: Received): void {
    const state = this.state(r.typeUrl);
    state.lastNonce = r.nonce;
    state.receivedVersion = r.versionInfo;
    if (this.protocol === 'sotw' && allowsWildcard(r.typeUrl)) state.held.clear(); // LDS/CDS: omission means removal
    for (const n of r.removed) state.held.delete(n);
    for (const res of r.resources) state.held.set(res.name, res);
    this.responses.push(r);
    if (this.options.autoAck ?? true) this.reply(r.typeUrl, undefined);
  }
}

interface PbAny { type_url: string; value: Uint8Array }

function resourceName(body: Record<string, unknown>): string {
  return String(body.name ?? body.cluster_name ?? '');
}

function decodeResponse(protocol: XdsProtocol, bytes: Buffer): Received {
  if (protocol === 'sotw') {
    const msg = messageType('envoy.service.discovery.v3.DiscoveryResponse').decode(bytes) as unknown as { version_info: string; resources: PbAny[]; type_url: string; nonce: string };
    return {
      typeUrl: msg.type_url,
      versionInfo: msg.version_info,
      nonce: msg.nonce,
      resources: msg.resources.map((any) => {
        const body = decodeResource(any.type_url, any.value);
        return { name: resourceName(body), version: msg.version_info, body };
      }),
      removed: [],
    };
  }
  const msg = messageType('envoy.service.discovery.v3.DeltaDiscoveryResponse').decode(bytes) as unknown as {
    system_version_info: string; resources: Array<{ name: string; version: string; resource: PbAny }>; type_url: string; nonce: string; removed_resources: string[];
  };
  return {
    typeUrl: msg.type_url,
    versionInfo: msg.system_version_info,
    nonce: msg.nonce,
    resources: msg.resources.map((r) => ({ name: r.name, version: r.version, body: decodeResource(r.resource.type_url, r.resource.value) })),
    removed: [...msg.removed_resources],
  };
}

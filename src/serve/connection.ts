/**
 * One ADS stream: the parsed proxy, its generator, the send buffer, the push queue and the
 * protocol (SotW or delta) that keeps per-type state. Everything from the network goes through
 * `receive()`, which never throws: a bad request ends THIS stream with a gRPC status.
 */
import * as grpc from '@grpc/grpc-js';
import { constants as http2 } from 'node:http2';
import type { ChangeSet } from '../model/change-set.js';
import { parseProxy, type Proxy } from '../model/proxy.js';
import type { Logger } from '../lib/logger.js';
import type { Generator, XdsResource } from '../translate/types.js';
import { shortTypeName, TypeUrl } from '../translate/type-urls.js';
import { PushQueue } from './push-queue.js';
import type { ResourceCache } from './resource-cache.js';
import type { SecretAccess } from './sds-access.js';
import { SendBuffer, type Overflow } from './send-buffer.js';
import { isDecodeFailure, type DecodeFailure } from './service-definition.js';
import { forbiddenType, PLAINTEXT_ACCESS, refusalStatus, type ConnectionAccess } from './stream-access.js';
import type { AdsLimits, ConnectionStatus, StreamAuthorization, TypeStatus, XdsMetrics } from './types.js';

/** A reason to end a stream, with the gRPC status the client gets. */
export interface StreamError {
  readonly code: grpc.status;
  readonly message: string;
}

/** What a connection needs from the server. */
export interface ServeContext {
  readonly limits: AdsLimits;
  readonly metrics: XdsMetrics;
  readonly generatorFor: (proxy: Proxy) => Generator | undefined;
  /** The current snapshot's cache; undefined until the first snapshot (requests are held). */
  current(): ResourceCache | undefined;
  /** Queues this connection's pending push behind the push throttle. */
  schedule(connection: Connection): void;
  closed(connection: Connection): void;
}

/** The part of a connection a protocol writes through. */
export interface ConnectionHandle {
  readonly proxy: Proxy;
  readonly generator: Generator;
  readonly log: Logger;
  readonly limits: AdsLimits;
  readonly metrics: XdsMetrics;
  /** Secure streams: the verified identity's current right to secrets (SDS), read per answer; absent = none. */
  readonly secretAccess?: () => SecretAccess;
  /** Sends one encoded response; false once the stream is closed. */
  send(typeUrl: string, bytes: Buffer, startedAt: number): boolean;
  fail(error: StreamError): void;
}

export interface StreamProtocol<Req> {
  readonly kind: 'sotw' | 'delta';
  /** The request's type URL and node (the first request must carry the node). */
  typeUrlOf(req: Req): string;
  /** Limits that do not depend on state (name counts); an error ends the stream. */
  check(req: Req): StreamError | undefined;
  handle(req: Req, cache: ResourceCache): void;
  push(cache: ResourceCache, changes: ChangeSet): void;
  typeStatuses(): TypeStatus[];
  sentResources(): Map<string, readonly XdsResource[]>;
}

type Call = grpc.ServerDuplexStream<unknown, Buffer>;

/** Most requests kept while waiting for the first snapshot (a client sends one per type). */
const MAX_HELD_REQUESTS = 32;
const TYPE_URL_PATTERN = /^type\.googleapis\.com\/[A-Za-z_][A-Za-z0-9_.]{0,200}$/;

export class Connection<Req = unknown> {
  readonly connectedAt = new Date().toISOString();
  readonly peer: string;
  private proxyState: { proxy: Proxy; generator: Generator; log: Logger } | undefined;
  private protocol: StreamProtocol<Req> | undefined;
  private readonly held: Req[] = [];
  /** Requests that arrived while the stream's authorization was being decided. */
  private authorizing: Req[] | undefined;
  private readonly queue = new PushQueue();
  private readonly sendBuffer: SendBuffer;
  private ended = false;

  constructor(
    readonly conId: string,
    private readonly call: Call,
    private readonly ctx: ServeContext,
    private readonly log: Logger,
    private readonly makeProtocol: (handle: ConnectionHandle) => StreamProtocol<Req>,
    readonly kind: 'sotw' | 'delta',
    private readonly access: ConnectionAccess = PLAINTEXT_ACCESS,
  ) {
    this.peer = safe(() => call.getPeer(), 'unknown');
    this.sendBuffer = new SendBuffer({ maxBytes: ctx.limits.sendBufferBytes, timeoutMs: ctx.limits.sendTimeoutMs }, (o) => this.cutOff(o));
  }

  get proxy(): Proxy | undefined {
    return this.proxyState?.proxy;
  }

  get isClosed(): boolean {
    return this.ended;
  }

  /** One request from the network. Never throws. */
  receive(raw: Req | DecodeFailure): void {
    if (this.ended) return;
    try {
      this.receiveUnsafe(raw);
    } catch (error) {
      this.log.error({ err: error }, 'ads request handling failed');
      this.fail({ code: grpc.status.INTERNAL, message: 'internal error while handling the request' });
    }
  }

  get hasHeldRequests(): boolean {
    return this.held.length > 0;
  }

  /** The first snapshot arrived: answer the requests held until now, in order. */
  release(): void {
    const cache = this.ctx.current();
    if (!cache) return;
    for (const req of this.held.splice(0)) {
      if (this.ended || !this.protocol) return;
      try {
        this.protocol.handle(req, cache);
      } catch (error) {
        this.log.error({ err: error }, 'ads request handling failed');
        this.fail({ code: grpc.status.INTERNAL, message: 'internal error while handling the request' });
      }
    }
  }

  enqueuePush(changes: ChangeSet, firstEventAt: number | undefined): void {
    if (this.ended || !this.protocol) return;
    if (this.queue.enqueue(changes, firstEventAt)) this.ctx.schedule(this);
  }

  /**
   * Runs the pending push (called by the throttle) and resolves once its responses have been
   * flushed to the socket (or the stream ended), so the throttle bounds the pushes in flight,
   * not just the ones being computed: bytes queue for at most PILOT_PUSH_THROTTLE proxies.
   */
  async runPush(): Promise<void> {
    const pending = this.queue.take();
    const cache = this.ctx.current();
    if (!pending || !cache || this.ended || !this.protocol) return;
    this.protocol.push(cache, pending.changes);
    await this.sendBuffer.drained();
    if (pending.firstEventAt !== undefined && !this.ended) this.ctx.metrics.converged(Math.max(0, Date.now() - pending.firstEventAt) / 1000);
  }

  status(): ConnectionStatus | undefined {
    const state = this.proxyState;
    if (!state || !this.protocol) return undefined;
    const { proxy } = state;
    return {
      conId: this.conId,
      proxyId: proxy.id,
      nodeId: proxy.nodeId,
      peer: this.peer,
      connectedAt: this.connectedAt,
      protocol: this.kind,
      generator: state.generator.name,
      ...(proxy.userAgent ? { userAgent: proxy.userAgent } : {}),
      ...(proxy.metadata.istioVersion ? { istioVersion: proxy.metadata.istioVersion } : {}),
      types: this.protocol.typeStatuses(),
    };
  }

  sentResources(): Map<string, readonly XdsResource[]> {
    return this.protocol?.sentResources() ?? new Map();
  }

  /** Ends the stream with a status (flushing what was already queued). */
  fail(error: StreamError): void {
    if (this.ended) return;
    (this.proxyState?.log ?? this.log).info({ code: grpc.status[error.code], reason: error.message }, 'ads stream closed with an error');
    this.finish();
    safe(() => this.call.emit('error', { code: error.code, details: error.message, metadata: new grpc.Metadata() }), undefined);
  }

  /** The client went away (cancelled or half-closed). */
  clientGone(): void {
    if (this.ended) return;
    this.finish();
    safe(() => this.call.end(), undefined);
  }

  private finish(): void {
    this.ended = true;
    this.held.length = 0;
    this.queue.take();
    this.sendBuffer.close();
    if (this.proxyState) this.ctx.metrics.connectionClosed(this.proxyState.proxy.metadata.istioVersion ?? '');
    this.ctx.closed(this);
  }

  private receiveUnsafe(raw: Req | DecodeFailure): void {
    if (isDecodeFailure(raw)) return this.fail({ code: grpc.status.INVALID_ARGUMENT, message: `malformed request: ${raw.decodeFailure.slice(0, 200)}` });
    if (this.authorizing) {
      if (this.authorizing.length >= MAX_HELD_REQUESTS) return this.fail({ code: grpc.status.RESOURCE_EXHAUSTED, message: `more than ${MAX_HELD_REQUESTS} requests before the stream was authorized` });
      return void this.authorizing.push(raw);
    }
    const protocol = this.protocol ?? this.start(raw);
    if (!protocol) return;
    const typeUrl = protocol.typeUrlOf(raw);
    const typeError = this.checkTypeUrl(typeUrl);
    if (typeError) return this.fail(typeError);
    const limitError = protocol.check(raw);
    if (limitError) return this.fail(limitError);
    const cache = this.ctx.current();
    // Requests keep their order: while earlier ones are held, later ones queue behind them.
    if (cache && this.held.length === 0) return protocol.handle(raw, cache);
    if (this.held.length >= MAX_HELD_REQUESTS) return this.fail({ code: grpc.status.RESOURCE_EXHAUSTED, message: `more than ${MAX_HELD_REQUESTS} requests before the server was ready` });
    this.held.push(raw);
  }

  /**
   * First request: parse the node, pick the generator, create the protocol state. On the secure
   * port the protocol starts only once the caller is authorized for this node; until then
   * requests wait (undefined is returned and this request is replayed afterwards).
   */
  private start(req: Req): StreamProtocol<Req> | undefined {
    const parsed = parseProxy(nodeOf(req));
    if (!parsed.ok) {
      this.fail({ code: grpc.status.INVALID_ARGUMENT, message: `bad node: ${parsed.errors.join('; ')}` });
      return undefined;
    }
    const proxy = parsed.value;
    const generator = this.ctx.generatorFor(proxy);
    if (!generator) {
      this.fail({ code: grpc.status.UNIMPLEMENTED, message: `no generator serves proxy ${proxy.id} (type ${proxy.type}, GENERATOR ${JSON.stringify(proxy.metadata.generator ?? '')})` });
      return undefined;
    }
    if (this.access.secure) {
      this.authorizing = [req];
      this.access.authorize(proxy).then(
        (verdict) => this.authorized(verdict, proxy, generator),
        (error: unknown) => this.authorized({ allowed: false, status: 'unauthenticated', reason: `authorizer failed: ${(error as Error)?.message ?? String(error)}` }, proxy, generator),
      );
      return undefined;
    }
    return this.begin(proxy, generator);
  }

  private authorized(verdict: StreamAuthorization, proxy: Proxy, generator: Generator): void {
    if (this.ended) return;
    if (!verdict.allowed) {
      this.log.warn({ proxy: proxy.id, nodeId: proxy.nodeId, peer: this.peer, reason: verdict.reason }, 'secure ads stream refused');
      return this.fail(refusalStatus(verdict));
    }
    this.log.debug({ proxy: proxy.id, identity: verdict.identity }, 'secure ads stream authorized');
    const queued = this.authorizing ?? [];
    this.authorizing = undefined;
    this.begin(proxy, generator, verdict.secretAccess);
    for (const req of queued) this.receive(req);
  }

  private begin(proxy: Proxy, generator: Generator, secretAccess?: () => SecretAccess): StreamProtocol<Req> {
    const log = this.log.child({ proxy: proxy.id });
    this.proxyState = { proxy, generator, log };
    this.ctx.metrics.connectionOpened(proxy.metadata.istioVersion ?? '');
    log.info({ nodeId: proxy.nodeId, generator: generator.name, protocol: this.kind, peer: this.peer }, 'ads stream started');
    this.protocol = this.makeProtocol(this.handle(proxy, generator, log, secretAccess));
    return this.protocol;
  }

  private handle(proxy: Proxy, generator: Generator, log: Logger, secretAccess: (() => SecretAccess) | undefined): ConnectionHandle {
    return {
      proxy,
      generator,
      log,
      ...(secretAccess ? { secretAccess } : {}),
      limits: this.ctx.limits,
      metrics: this.ctx.metrics,
      send: (typeUrl, bytes, startedAt) => this.send(typeUrl, bytes, startedAt),
      fail: (error) => this.fail(error),
    };
  }

  private checkTypeUrl(typeUrl: string): StreamError | undefined {
    if (typeUrl === '') return { code: grpc.status.INVALID_ARGUMENT, message: 'type_url: missing (ADS requests must name their resource type)' };
    const forbidden = forbiddenType(typeUrl, this.access);
    if (forbidden) return forbidden;
    if (!TYPE_URL_PATTERN.test(typeUrl)) return { code: grpc.status.INVALID_ARGUMENT, message: `type_url ${JSON.stringify(typeUrl.slice(0, 100))}: not a type.googleapis.com/<message> URL` };
    const generator = this.proxyState?.generator;
    if (generator && !generator.typeUrls.includes(typeUrl) && !KNOWN_TYPES.has(typeUrl)) {
      return { code: grpc.status.UNIMPLEMENTED, message: `type_url ${typeUrl}: not served to generator ${generator.name} (serves ${generator.typeUrls.map(shortTypeName).join(', ')})` };
    }
    return undefined;
  }

  private send(typeUrl: string, bytes: Buffer, startedAt: number): boolean {
    if (this.ended) return false;
    const done = this.sendBuffer.track(bytes.length);
    if (this.ended) return false; // the buffer overflowed: cut off
    this.call.write(bytes, done);
    this.ctx.metrics.pushed(shortTypeName(typeUrl), Math.max(0, performance.now() - startedAt) / 1000, bytes.length);
    return true;
  }

  /** A client that does not read: reset its stream at once; waiting for a flush would never end. */
  private cutOff(overflow: Overflow): void {
    if (this.ended) return;
    const status = overflow.reason === 'send_buffer_full'
      ? { code: grpc.status.RESOURCE_EXHAUSTED, message: `send buffer over ${this.ctx.limits.sendBufferBytes} bytes: the client is not reading` }
      : { code: grpc.status.DEADLINE_EXCEEDED, message: `a response was not flushed within ${this.ctx.limits.sendTimeoutMs}ms: the client is not reading` };
    this.ctx.metrics.disconnected(overflow.reason);
    (this.proxyState?.log ?? this.log).warn({ reason: overflow.reason, unflushedBytes: this.sendBuffer.unflushedBytes }, 'ads stream cut off: client too slow');
    this.finish();
    resetStream(this.call, status);
  }
}

/** Type URLs answered (possibly empty) even when a generator does not produce them. */
const KNOWN_TYPES: ReadonlySet<string> = new Set(Object.values(TypeUrl));

function nodeOf(req: unknown): Parameters<typeof parseProxy>[0] {
  const node = (req as { node?: unknown }).node;
  return typeof node === 'object' && node !== null ? (node as Parameters<typeof parseProxy>[0]) : undefined;
}

/**
 * Sends the status if it can, then resets the HTTP/2 stream (RST_STREAM CANCEL) so buffered
 * responses are dropped. grpc-js has no public per-call reset, so this reaches its internals
 * defensively; without them the status alone still ends the call once the client reads.
 */
function resetStream(call: Call, status: { code: grpc.status; message: string }): void {
  safe(() => call.emit('error', { code: status.code, details: status.message, metadata: new grpc.Metadata() }), undefined);
  const internal = call as unknown as { call?: { nextCall?: { stream?: { close?: (code: number) => void; destroyed?: boolean } } } };
  const h2 = internal.call?.nextCall?.stream;
  if (h2 && typeof h2.close === 'function' && !h2.destroyed) safe(() => h2.close!(http2.NGHTTP2_CANCEL), undefined);
}

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

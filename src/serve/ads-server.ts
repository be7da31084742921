/**
 * The ADS gRPC server: envoy.service.discovery.v3.AggregatedDiscoveryService over grpc-js, both
 * SotW and delta. It owns the connections, the current snapshot's resource cache, the push
 * throttle and the new-stream rate limit; the protocol lives in sotw-stream.ts/delta-stream.ts.
 */
import * as grpc from '@grpc/grpc-js';
import type { ChangeSet } from '../model/change-set.js';
import type { Proxy } from '../model/proxy.js';
import type { Snapshot } from '../model/snapshot.js';
import type { Logger } from '../lib/logger.js';
import type { Generator, XdsResource } from '../translate/types.js';
import { shortTypeName } from '../translate/type-urls.js';
import { TlsOnlyServer } from './ca-secure-server.js';
import { callerCredentials } from './ca-service.js';
import { Connection, type ServeContext } from './connection.js';
import type { ConnectionAccess } from './stream-access.js';
import { DeltaStream } from './delta-stream.js';
import { DiagnosticsLog, type DiagnosticsReport } from './diagnostics-log.js';
import { TokenBucket } from './rate-limiter.js';
import { ResourceCache, type CacheProblems } from './resource-cache.js';
import { adsServiceDefinition, type DeltaRequest, type SotwRequest } from './service-definition.js';
import { SotwStream } from './sotw-stream.js';
import { Throttle } from './throttle.js';
import { DEFAULT_ADS_LIMITS, NO_METRICS, type AdsLimits, type AdsServer, type AdsServerDeps, type ConnectionStatus, type StreamAuthorizer, type XdsMetrics } from './types.js';

/** How long a stream over the new-stream rate waits for a token before RESOURCE_EXHAUSTED. */
const NEW_STREAM_MAX_WAIT_MS = 10_000;
/** Time given to in-flight streams after a max-age GOAWAY before the connection is closed. */
const MAX_CONNECTION_AGE_GRACE_MS = 10_000;
const SHUTDOWN_GRACE_MS = 1_000;

export function createAdsServer(deps: AdsServerDeps): AdsServer {
  return new GrpcAdsServer(deps);
}

type Call = grpc.ServerDuplexStream<unknown, Buffer>;

function serverOptions(limits: AdsLimits): grpc.ServerOptions {
  return {
    'grpc.max_receive_message_length': limits.maxRecvMessageBytes,
    'grpc.keepalive_time_ms': limits.keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': limits.keepaliveTimeoutMs,
    ...(limits.maxConnectionAgeMs > 0 ? { 'grpc.max_connection_age_ms': limits.maxConnectionAgeMs, 'grpc.max_connection_age_grace_ms': MAX_CONNECTION_AGE_GRACE_MS } : {}),
  };
}

class GrpcAdsServer implements AdsServer {
  private readonly limits: AdsLimits;
  private readonly metrics: XdsMetrics;
  private readonly log: Logger;
  private readonly server: grpc.Server;
  private readonly secureServers: grpc.Server[] = [];
  private readonly live = new Set<Connection>();
  private readonly throttle: Throttle;
  private readonly streams: TokenBucket;
  private readonly ctx: ServeContext;
  private cache: ResourceCache | undefined;
  private readonly diagnosticsLog = new DiagnosticsLog();
  private nextConId = 1;
  private closing = false;

  constructor(private readonly deps: AdsServerDeps) {
    this.limits = Object.freeze({ ...DEFAULT_ADS_LIMITS, ...deps.limits });
    this.metrics = deps.metrics ?? NO_METRICS;
    this.log = deps.logger;
    this.throttle = new Throttle(this.limits.pushThrottle, (error) => this.log.error({ err: error }, 'ads push failed'));
    this.streams = new TokenBucket(this.limits.newStreamsPerSecond, this.limits.newStreamsBurst);
    this.ctx = {
      limits: this.limits,
      metrics: this.metrics,
      generatorFor: (proxy) => this.generatorFor(proxy),
      current: () => this.cache,
      schedule: (c) => this.throttle.submit(() => c.runPush()),
      closed: (c) => this.live.delete(c),
    };
    this.server = new grpc.Server(serverOptions(this.limits));
    this.addAds(this.server, undefined);
  }

  /** The plaintext server passes no authorizer: its streams carry no identity (and get no secrets). */
  private addAds(server: grpc.Server, authorize: StreamAuthorizer | undefined): void {
    server.addService(adsServiceDefinition(), {
      StreamAggregatedResources: (call: Call) => this.accept(call, 'sotw', authorize),
      DeltaAggregatedResources: (call: Call) => this.accept(call, 'delta', authorize),
    });
  }

  secureServer(authorize: StreamAuthorizer): TlsOnlyServer {
    const server = new TlsOnlyServer(serverOptions(this.limits));
    this.addAds(server, authorize);
    this.secureServers.push(server);
    return server;
  }

  listen(host: string, port: number): Promise<number> {
    const address = host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
    return new Promise((resolve, reject) => {
      this.server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
    });
  }

  onSnapshot(snapshot: Snapshot, changes: ChangeSet, firstEventAt?: number): void {
    if (this.closing) return;
    const first = this.cache === undefined;
    // The same snapshot again is a credentials change (gateway SDS): the cache stays, since
    // generators that read credentials put the credentials version in their scope keys.
    if (this.cache?.snapshot !== snapshot) {
      this.diagnosticsLog.reset(snapshot.version);
      this.cache = new ResourceCache(snapshot, this.cacheProblems(snapshot.version));
    }
    this.log.debug({ version: snapshot.version, endpointsOnly: changes.endpointsOnly, connections: this.live.size }, 'ads snapshot received');
    for (const c of this.live) {
      if (c.hasHeldRequests) this.throttle.submit(() => c.release());
      else if (!first) c.enqueuePush(changes, firstEventAt);
    }
  }

  connections(): readonly ConnectionStatus[] {
    return [...this.live].flatMap((c) => c.status() ?? []);
  }

  sentResources(proxyId: string): ReadonlyMap<string, readonly XdsResource[]> | undefined {
    let found: Connection | undefined;
    for (const c of this.live) if (c.proxy?.id === proxyId) found = c; // the newest wins
    return found?.sentResources();
  }

  connectedProxy(proxyId: string): Proxy | undefined {
    let found: Proxy | undefined;
    for (const c of this.live) if (c.proxy?.id === proxyId) found = c.proxy; // the newest wins
    return found;
  }

  diagnostics(): DiagnosticsReport {
    return this.diagnosticsLog.report();
  }

  async close(): Promise<void> {
    this.closing = true;
    this.streams.close();
    this.throttle.close();
    for (const c of [...this.live]) c.fail({ code: grpc.status.UNAVAILABLE, message: 'server shutting down' });
    await Promise.all([this.server, ...this.secureServers].map(shutdown));
  }

  private accept(call: Call, kind: 'sotw' | 'delta', authorize: StreamAuthorizer | undefined): void {
    call.on('error', () => undefined); // ending a stream emits 'error' on it; nothing to add
    if (this.closing) return void endCall(call, grpc.status.UNAVAILABLE, 'server shutting down');
    const conId = `${kind}-${this.nextConId++}`;
    const access: ConnectionAccess = authorize ? { secure: true, authorize: (proxy) => authorize(callerCredentials(call), proxy) } : { secure: false };
    if (this.streams.tryTake()) return this.admit(call, kind, conId, access);
    let gone = false;
    call.once('cancelled', () => (gone = true));
    void this.streams.take(NEW_STREAM_MAX_WAIT_MS).then((admitted) => {
      if (gone) return;
      if (admitted && !this.closing) return this.admit(call, kind, conId, access);
      this.metrics.disconnected('rate_limited');
      endCall(call, grpc.status.RESOURCE_EXHAUSTED, `too many new xDS streams (over ${this.limits.newStreamsPerSecond}/s); retry later`);
    });
  }

  private admit(call: Call, kind: 'sotw' | 'delta', conId: string, access: ConnectionAccess): void {
    const log = this.log.child({ conId, ...(access.secure ? { secure: true } : {}) });
    const connection: Connection<SotwRequest> | Connection<DeltaRequest> = kind === 'sotw'
      ? new Connection<SotwRequest>(conId, call, this.ctx, log, (h) => new SotwStream(h), kind, access)
      : new Connection<DeltaRequest>(conId, call, this.ctx, log, (h) => new DeltaStream(h), kind, access);
    this.live.add(connection);
    call.on('data', (req: SotwRequest & DeltaRequest) => connection.receive(req));
    call.on('end', () => connection.clientGone());
    call.on('cancelled', () => connection.clientGone());
    call.on('close', () => connection.clientGone());
  }

  private generatorFor(proxy: Proxy): Generator | undefined {
    try {
      return this.deps.generatorFor(proxy);
    } catch (error) {
      this.log.error({ err: error, proxy: proxy.id }, 'ads generator lookup failed');
      return undefined;
    }
  }

  private cacheProblems(snapshotVersion: number): CacheProblems {
    return {
      generatorFailed: (generator, typeUrl, error) => this.log.error({ err: error, generator, type: shortTypeName(typeUrl) }, 'ads generator failed; type not pushed'),
      encodeFailed: (generator, typeUrl, name, error) => this.log.error({ err: error, generator, type: shortTypeName(typeUrl), resource: name }, 'ads resource failed to encode; left out'),
      diagnostics: (generator, typeUrl, diagnostics, proxyId) => {
        this.diagnosticsLog.record(snapshotVersion, generator, typeUrl, diagnostics, proxyId);
      },
    };
  }
}

/** Graceful shutdown, forced after a grace period (a client that never closes cannot hold it). */
function shutdown(server: grpc.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, SHUTDOWN_GRACE_MS);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}

function endCall(call: Call, code: grpc.status, details: string): void {
  try {
    call.emit('error', { code, details, metadata: new grpc.Metadata() });
  } catch {
    // the call is already gone
  }
}

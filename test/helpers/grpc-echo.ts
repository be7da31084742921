/**
 * gRPC echo backends and clients for the proxyless end-to-end tests. Each backend listens on
 * its own loopback address (127.0.0.x) with a port shared by all of them, and answers with its
 * own name, so a test counts where its calls landed. A "flaky" backend fails every other call
 * with UNAVAILABLE. Backends are plain grpc-js servers or grpc-js-xds XdsServers (gRFC A36),
 * which only start serving once the control plane sent their server listener.
 */
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { register as registerXdsScheme, XdsServer } from '@grpc/grpc-js-xds';
import protobuf from 'protobufjs';

// Filters, LB policies and the xds: scheme, for XdsServers and xds: channels alike (idempotent).
registerXdsScheme();

export const ECHO_METHOD = '/istiodts.test.Echo/Echo';

const root = protobuf.loadSync(resolve('test/fixtures/echo.proto'));
const EchoRequest = root.lookupType('istiodts.test.EchoRequest');
const EchoResponse = root.lookupType('istiodts.test.EchoResponse');

export interface EchoRequestMsg { message: string }
export interface EchoResponseMsg { message: string; backend: string }

const encodeRequest = (m: EchoRequestMsg) => Buffer.from(EchoRequest.encode(EchoRequest.fromObject(m)).finish());
const decodeRequest = (b: Buffer) => EchoRequest.toObject(EchoRequest.decode(b), { defaults: true }) as EchoRequestMsg;
const encodeResponse = (m: EchoResponseMsg) => Buffer.from(EchoResponse.encode(EchoResponse.fromObject(m)).finish());
const decodeResponse = (b: Buffer) => EchoResponse.toObject(EchoResponse.decode(b), { defaults: true }) as EchoResponseMsg;

export const echoService: grpc.ServiceDefinition = {
  Echo: {
    path: ECHO_METHOD,
    requestStream: false,
    responseStream: false,
    requestSerialize: encodeRequest,
    requestDeserialize: decodeRequest,
    responseSerialize: encodeResponse,
    responseDeserialize: decodeResponse,
  },
};

/**
 * A second method on the same service (same messages), for tests that authorize per method:
 * servers built from `echoServiceWithPing` answer both. Not in echo.proto: grpc-js needs only
 * the path and the (de)serializers.
 */
export const ECHO_PING_METHOD = '/istiodts.test.Echo/Ping';

export const echoServiceWithPing: grpc.ServiceDefinition = {
  ...echoService,
  Ping: { ...echoService.Echo!, path: ECHO_PING_METHOD },
};

export interface BackendSpec {
  /** Name the backend answers with (e.g. the pod name). */
  readonly name: string;
  /** Loopback IP literal, e.g. 127.0.0.2. */
  readonly ip: string;
  /** Fail every other call (the 1st, 3rd, ...) with UNAVAILABLE. */
  readonly flaky?: boolean;
  /** Port to listen on, if not the common one. */
  readonly port?: number;
  /**
   * Serve through a grpc-js-xds XdsServer with this bootstrap (JSON object). Note: XdsServer
   * (1.14) listens on its port on all addresses, ignoring the IP, so give each its own port.
   */
  readonly xdsBootstrap?: object;
}

export interface Backend {
  readonly name: string;
  readonly ip: string;
  /** Calls received, including the ones a flaky backend failed. */
  received: number;
  failed: number;
}

export interface EchoBackends {
  /** The port the backends listen on, each on its own IP (unless a spec has its own). */
  readonly port: number;
  readonly backends: readonly Backend[];
  byName(name: string): Backend;
  close(): Promise<void>;
}

/** A port free on every one of `ips`: picked on the first, checked on the rest. */
export async function freePortOn(ips: readonly string[]): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await listenProbe(ips[0]!, 0);
    let free = true;
    for (const ip of ips.slice(1)) if ((await listenProbe(ip, port).catch(() => 0)) === 0) free = false;
    if (free) return port;
  }
  throw new Error(`no common free port on ${ips.join(', ')}`);
}

function listenProbe(host: string, port: number): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen({ host, port, exclusive: true }, () => {
      const bound = (s.address() as { port: number }).port;
      s.close(() => done(bound));
    });
  });
}

function handlerFor(backend: Backend, flaky: boolean): grpc.UntypedServiceImplementation {
  return {
    Echo(call: grpc.ServerUnaryCall<EchoRequestMsg, EchoResponseMsg>, callback: grpc.sendUnaryData<EchoResponseMsg>) {
      backend.received++;
      if (flaky && backend.received % 2 === 1) {
        backend.failed++;
        callback({ code: grpc.status.UNAVAILABLE, details: `${backend.name} is flaky` });
        return;
      }
      callback(null, { message: call.request.message, backend: backend.name });
    },
  };
}

const XDS_BOOTSTRAP_OPTION = 'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config';

function bindServer(server: grpc.Server, address: string): Promise<void> {
  return new Promise((done, fail) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err) => (err ? fail(err) : done()));
  });
}

function shutdown(server: grpc.Server): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      done();
    }, 1000);
    server.tryShutdown(() => {
      clearTimeout(timer);
      done();
    });
  });
}

/**
 * Starts one server per spec on `<ip>:<port>` (a common free port unless given). Plain
 * servers are serving when this resolves; XdsServers bind once their listener arrives, so for
 * those this waits for `servingTimeoutMs` and fails if the control plane sent nothing usable.
 */
export async function startEchoBackends(specs: readonly BackendSpec[], opts: { port?: number; servingTimeoutMs?: number } = {}): Promise<EchoBackends> {
  const port = opts.port ?? (await freePortOn(specs.filter((s) => s.port === undefined).map((s) => s.ip).concat('127.0.0.1')));
  const servers: grpc.Server[] = [];
  const backends: Backend[] = [];
  const close = async () => {
    await Promise.all(servers.map(shutdown));
  };
  try {
    await Promise.all(specs.map(async (spec) => {
      const backend: Backend = { name: spec.name, ip: spec.ip, received: 0, failed: 0 };
      backends.push(backend);
      const server = spec.xdsBootstrap
        ? new XdsServer({ [XDS_BOOTSTRAP_OPTION]: JSON.stringify(spec.xdsBootstrap) } as grpc.ServerOptions)
        : new grpc.Server();
      servers.push(server);
      server.addService(echoService, handlerFor(backend, spec.flaky ?? false));
      const address = `${spec.ip}:${spec.port ?? port}`;
      const bound = bindServer(server, address);
      await (spec.xdsBootstrap ? withTimeout(bound, opts.servingTimeoutMs ?? 10_000, `XdsServer ${spec.name} on ${address} to get its listener and serve`) : bound);
    }));
  } catch (err) {
    await close();
    throw err;
  }
  return {
    port,
    backends,
    byName(name) {
      const b = backends.find((x) => x.name === name);
      if (!b) throw new Error(`no backend named ${name}`);
      return b;
    },
    close,
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`timed out after ${ms}ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The outcome of one call: the backend that answered, or the gRPC status it failed with. */
export type CallOutcome = { ok: true; backend: string } | { ok: false; code: grpc.status; details: string };

export interface EchoClient {
  readonly client: grpc.Client;
  call(headers?: Record<string, string>, deadlineMs?: number): Promise<CallOutcome>;
  /** `count` calls, `concurrency` at a time; outcomes in no particular order. */
  callMany(count: number, headers?: Record<string, string>, concurrency?: number): Promise<CallOutcome[]>;
  close(): void;
}

/**
 * A client for `target` (e.g. `xds:///echo.default.svc.cluster.local:7070`). With `xdsBootstrap`
 * the channel gets its own xDS client and ADS stream with that bootstrap (grpc-js-xds's
 * test-only channel option), so several clients with different node ids share one process.
 */
export function echoClient(target: string, xdsBootstrap?: object): EchoClient {
  const options: grpc.ChannelOptions = xdsBootstrap ? { [XDS_BOOTSTRAP_OPTION]: JSON.stringify(xdsBootstrap) } : {};
  const client = new grpc.Client(target, grpc.credentials.createInsecure(), options);
  const call = (headers: Record<string, string> = {}, deadlineMs = 10_000) =>
    new Promise<CallOutcome>((done) => {
      const md = new grpc.Metadata();
      for (const [k, v] of Object.entries(headers)) md.set(k, v);
      client.makeUnaryRequest(ECHO_METHOD, encodeRequest, decodeResponse, { message: 'hi' }, md, { deadline: Date.now() + deadlineMs, waitForReady: true } as grpc.CallOptions, (err, res) => {
        if (err) done({ ok: false, code: err.code, details: err.details });
        else done({ ok: true, backend: res!.backend });
      });
    });
  return {
    client,
    call,
    async callMany(count, headers, concurrency = 50) {
      const out: CallOutcome[] = [];
      let next = 0;
      const worker = async () => {
        while (next < count) {
          next++;
          out.push(await call(headers));
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
      return out;
    },
    close: () => client.close(),
  };
}

/** Calls per backend name, with failures counted under `!<CODE NAME>`. */
export function tally(outcomes: readonly CallOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    const key = o.ok ? o.backend : `!${grpc.status[o.code]}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

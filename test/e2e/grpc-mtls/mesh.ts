/**
 * A proxyless mTLS mesh on loopback: a --configDir with Services, Pods (service accounts and the
 * security.istio.io/tlsMode label) and PeerAuthentication, the real istiod-ts daemon, grpc-js-xds
 * XdsServers with XdsServerCredentials and xDS clients with XdsChannelCredentials, both reading
 * their certificates through the bootstrap's file_watcher certificate provider.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { XdsChannelCredentials, XdsServer, XdsServerCredentials } from '@grpc/grpc-js-xds';
import { startDaemon, type Daemon } from '../../helpers/daemon.js';
import { echoService, echoServiceWithPing, ECHO_METHOD, type EchoRequestMsg, type EchoResponseMsg } from '../../helpers/grpc-echo.js';
import { waitFor } from '../../helpers/wait-for.js';
import { xdsBootstrap } from '../../helpers/xds-bootstrap.js';
import { yamlDocs, serviceObject, SERVICE_PORT } from '../proxyless/mesh.js';
import { certificateProviders, type CertFiles } from './certs.js';

export const NS = 'default';
export const TLS_MODE_LABEL = 'security.istio.io/tlsMode';
const XDS_BOOTSTRAP_OPTION = 'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config';

export const spiffe = (sa: string) => `spiffe://cluster.local/ns/${NS}/sa/${sa}`;
export const xdsTarget = (service: string) => `xds:///${service}.${NS}.svc.cluster.local:${SERVICE_PORT}`;

export interface MeshPod {
  readonly pod: string;
  readonly app: string;
  readonly ip: string;
  readonly port: number;
  readonly serviceAccount: string;
  readonly labels?: Readonly<Record<string, string>>;
}

function podObject(p: MeshPod): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: p.pod, namespace: NS, labels: { app: p.app, ...(p.labels ?? {}) } },
    spec: { serviceAccountName: p.serviceAccount, containers: [{ name: 'echo', image: 'echo:test', ports: [{ name: 'grpc', containerPort: p.port, protocol: 'TCP' }] }] },
    status: { phase: 'Running', podIP: p.ip, podIPs: [{ ip: p.ip }], conditions: [{ type: 'Ready', status: 'True' }, { type: 'ContainersReady', status: 'True' }] },
  };
}

export function peerAuthentication(mode: string): object {
  return { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: NS }, spec: { mtls: { mode } } };
}

/** What a server saw: calls it answered, and each caller's certificate URI SAN ('' in plaintext). Ping calls count separately. */
export interface ServerRecord { calls: number; peers: string[]; pings?: number }

export interface MtlsMesh {
  readonly daemon: Daemon;
  readonly grpcPort: number;
  /** An XdsServer for `pod` on its IP and port with these certificates; resolves once it serves. */
  startServer(pod: MeshPod, certs: CertFiles): Promise<ServerRecord>;
  /** A bootstrap for a workload on `ip` named `pod` with these certificates. */
  bootstrap(pod: string, ip: string, certs: CertFiles | undefined, labels?: Record<string, string>): Record<string, unknown>;
  /** Rewrites the config directory with the same services and pods and these policies instead. */
  replacePolicies(policies: readonly object[]): Promise<void>;
  close(): Promise<void>;
}

function bind(server: grpc.Server, address: string, creds: grpc.ServerCredentials, ms: number): Promise<void> {
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`XdsServer on ${address} did not get a usable listener within ${ms}ms`)), ms);
    server.bindAsync(address, creds, (err) => {
      clearTimeout(timer);
      if (err) fail(err);
      else done();
    });
  });
}

function peerUri(call: grpc.ServerUnaryCall<EchoRequestMsg, EchoResponseMsg>): string {
  const san = call.getAuthContext().sslPeerCertificate?.subjectaltname ?? '';
  return san.replace(/^URI:/, '');
}

export async function startMtlsMesh(pods: readonly MeshPod[], services: readonly string[], policies: readonly object[]): Promise<MtlsMesh> {
  const dir = await mkdtemp(join(tmpdir(), 'istiod-ts-mtls-'));
  const cleanups: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    const writeMesh = (list: readonly object[]) => writeFile(join(dir, 'mesh.yaml'), yamlDocs([...services.map((s) => serviceObject(s, s)), ...pods.map(podObject), ...list]));
    await writeMesh(policies);
    const daemon = await startDaemon(['--configDir', dir], { PILOT_DEBOUNCE_AFTER: '20ms' });
    cleanups.push(() => daemon.stop());
    await waitFor('daemon ready', async () => (await daemon.get('/ready')).status === 200, 20_000);
    const bootstrap = (pod: string, ip: string, certs: CertFiles | undefined, labels: Record<string, string> = {}) => ({
      ...xdsBootstrap({ grpcPort: daemon.grpcPort, ip, pod, labels }),
      ...(certs ? { certificate_providers: certificateProviders(certs) } : {}),
    });
    return {
      daemon,
      grpcPort: daemon.grpcPort,
      bootstrap,
      replacePolicies: writeMesh,
      async startServer(pod, certs) {
        const record: ServerRecord = { calls: 0, peers: [], pings: 0 };
        const server = new XdsServer({ [XDS_BOOTSTRAP_OPTION]: JSON.stringify(bootstrap(pod.pod, pod.ip, certs, { app: pod.app, ...(pod.labels ?? {}) })) } as grpc.ServerOptions);
        server.addService(echoServiceWithPing, {
          Echo(call: grpc.ServerUnaryCall<EchoRequestMsg, EchoResponseMsg>, callback: grpc.sendUnaryData<EchoResponseMsg>) {
            record.calls++;
            record.peers.push(peerUri(call));
            callback(null, { message: call.request.message, backend: pod.pod });
          },
          Ping(call: grpc.ServerUnaryCall<EchoRequestMsg, EchoResponseMsg>, callback: grpc.sendUnaryData<EchoResponseMsg>) {
            record.pings = (record.pings ?? 0) + 1;
            callback(null, { message: call.request.message, backend: pod.pod });
          },
        });
        cleanups.push(() => new Promise<void>((done) => { server.forceShutdown(); done(); }));
        await bind(server, `${pod.ip}:${pod.port}`, new XdsServerCredentials(grpc.ServerCredentials.createInsecure()), 10_000);
        return record;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

export type Outcome = { ok: true; backend: string } | { ok: false; code: grpc.status; details: string };

/** One Echo call (or `method`, same messages) on a new channel (closed after), with xDS credentials when `xdsCreds`. */
export function callOnce(target: string, opts: { bootstrap?: object; xdsCreds: boolean; deadlineMs?: number; method?: string }): Promise<Outcome> {
  const insecure = grpc.credentials.createInsecure();
  const creds = opts.xdsCreds ? new XdsChannelCredentials(insecure) : insecure;
  const options: grpc.ChannelOptions = opts.bootstrap ? { [XDS_BOOTSTRAP_OPTION]: JSON.stringify(opts.bootstrap) } : {};
  const client = new grpc.Client(target, creds, options);
  const { requestSerialize, responseDeserialize } = echoService.Echo!;
  return new Promise<Outcome>((done) => {
    client.makeUnaryRequest(opts.method ?? ECHO_METHOD, requestSerialize, responseDeserialize, { message: 'hi' }, new grpc.Metadata(),
      { deadline: Date.now() + (opts.deadlineMs ?? 5000) }, (err, res: EchoResponseMsg | undefined) => {
        client.close();
        done(err ? { ok: false, code: err.code, details: err.details } : { ok: true, backend: res!.backend });
      });
  });
}

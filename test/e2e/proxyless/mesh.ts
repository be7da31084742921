/**
 * A proxyless gRPC mesh on loopback for the end-to-end tests: a --configDir of Kubernetes
 * Services and Pods (file mode derives endpoints from Running, Ready pods) plus Istio routing
 * YAML, the real istiod-ts daemon serving it, and echo backends on 127.0.0.x addresses that
 * share one port.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startDaemon, type Daemon } from '../../helpers/daemon.js';
import { freePortOn, startEchoBackends, type BackendSpec, type EchoBackends } from '../../helpers/grpc-echo.js';
import { waitFor } from '../../helpers/wait-for.js';
import { xdsBootstrap, type WorkloadIdentity } from '../../helpers/xds-bootstrap.js';

export const NS = 'default';
/** The Services' port; backends listen on `MeshHandle.port` (the targetPort). */
export const SERVICE_PORT = 7070;

export const fqdn = (service: string) => `${service}.${NS}.svc.cluster.local`;
export const xdsTarget = (service: string) => `xds:///${fqdn(service)}:${SERVICE_PORT}`;

export interface Workload {
  readonly pod: string;
  readonly ip: string;
  readonly app: string;
  readonly version?: string;
  readonly flaky?: boolean;
  /** Serve through an XdsServer that asks istiod-ts for its listener. */
  readonly xdsServer?: boolean;
}

/** A Service whose port 7070 targets each pod's container port named `grpc`. */
export function serviceObject(name: string, app: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS, labels: { app } },
    spec: { selector: { app }, ports: [{ name: 'grpc', port: SERVICE_PORT, targetPort: 'grpc', protocol: 'TCP' }] },
  };
}

export function podObject(w: Workload, port: number): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: w.pod, namespace: NS, labels: { app: w.app, ...(w.version ? { version: w.version } : {}) } },
    spec: { containers: [{ name: 'echo', image: 'echo:test', ports: [{ name: 'grpc', containerPort: port, protocol: 'TCP' }] }] },
    status: {
      phase: 'Running',
      podIP: w.ip,
      podIPs: [{ ip: w.ip }],
      conditions: [{ type: 'Ready', status: 'True' }, { type: 'ContainersReady', status: 'True' }],
    },
  };
}

export const yamlDocs = (objects: readonly object[]) => objects.map((o) => stringify(o)).join('---\n');

export interface MeshSpec {
  readonly workloads: readonly Workload[];
  /** Service name → app label it selects. */
  readonly services: Readonly<Record<string, string>>;
  /** Routing files (VirtualServices, DestinationRules), by file name. */
  readonly routing: Readonly<Record<string, readonly object[]>>;
  readonly serverListenerTemplate?: string;
}

export interface MeshHandle {
  readonly dir: string;
  readonly daemon: Daemon;
  readonly backends: EchoBackends;
  /** The port the backends listen on (XdsServers excepted: see portOf). */
  readonly port: number;
  portOf(pod: string): number;
  /** A client bootstrap for a workload of this mesh (default: a client pod on 127.0.0.1). */
  bootstrap(w?: Partial<WorkloadIdentity>): Record<string, unknown>;
  writeRouting(file: string, objects: readonly object[]): Promise<void>;
  close(): Promise<void>;
}

/** Starts daemon and backends; the returned handle's close() stops everything, newest first. */
export async function startMesh(spec: MeshSpec, env: Record<string, string> = {}): Promise<MeshHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'istiod-ts-proxyless-'));
  const cleanups: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    const port = await freePortOn(spec.workloads.filter((w) => !w.xdsServer).map((w) => w.ip).concat('127.0.0.1'));
    // grpc-js-xds's XdsServer listens on its port on every address (it drops the host), so
    // each one needs a port of its own; the Services reach pods by the named port `grpc`.
    const ports = new Map<string, number>();
    for (const w of spec.workloads) ports.set(w.pod, w.xdsServer ? await freePortOn([w.ip]) : port);
    const services = Object.entries(spec.services).map(([name, app]) => serviceObject(name, app));
    await writeFile(join(dir, 'workloads.yaml'), yamlDocs([...services, ...spec.workloads.map((w) => podObject(w, ports.get(w.pod)!))]));
    for (const [file, objects] of Object.entries(spec.routing)) await writeFile(join(dir, file), yamlDocs(objects));
    const daemon = await startDaemon(['--configDir', dir], { PILOT_DEBOUNCE_AFTER: '20ms', ...env });
    cleanups.push(() => stopDaemon(daemon));
    await waitFor('daemon ready', async () => (await daemon.get('/ready')).status === 200, 20_000);
    const identity = (w: Partial<WorkloadIdentity>): WorkloadIdentity => ({
      grpcPort: daemon.grpcPort, ip: '127.0.0.1', pod: 'client', ...(spec.serverListenerTemplate ? { serverListenerTemplate: spec.serverListenerTemplate } : {}), ...w,
    });
    const backendSpecs: BackendSpec[] = spec.workloads.map((w) => ({
      name: w.pod,
      ip: w.ip,
      port: ports.get(w.pod)!,
      ...(w.flaky ? { flaky: true } : {}),
      ...(w.xdsServer ? { xdsBootstrap: xdsBootstrap(identity({ ip: w.ip, pod: w.pod, labels: { app: w.app, ...(w.version ? { version: w.version } : {}) } })) } : {}),
    }));
    const backends = await startEchoBackends(backendSpecs, { port });
    cleanups.push(() => backends.close());
    return {
      dir,
      daemon,
      backends,
      port,
      portOf: (pod) => ports.get(pod)!,
      bootstrap: (w = {}) => xdsBootstrap(identity(w)),
      writeRouting: (file, objects) => writeFile(join(dir, file), yamlDocs(objects)),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * SIGTERM, then SIGKILL if the daemon has not exited after `graceMs`. Seen under load: the
 * daemon lingers for minutes after closing its servers while a client's half-closed ADS
 * connection stays open (reported; this keeps the tests from waiting on it).
 */
async function stopDaemon(daemon: Daemon, graceMs = 5000): Promise<void> {
  const exited = daemon.stop();
  const timer = setTimeout(() => {
    process.stderr.write(`istiod-ts daemon (pid ${daemon.proc.pid}) still running ${graceMs}ms after SIGTERM: killed\n`);
    daemon.proc.kill('SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

// --- Istio routing objects -------------------------------------------------------------

export function destinationRule(name: string, host: string, body: Record<string, unknown>): object {
  return { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name, namespace: NS }, spec: { host, ...body } };
}

export function virtualService(name: string, host: string, http: readonly object[]): object {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: NS }, spec: { hosts: [host], http } };
}

export const dest = (host: string, subset?: string, weight?: number) => ({
  destination: { host, port: { number: SERVICE_PORT }, ...(subset ? { subset } : {}) },
  ...(weight !== undefined ? { weight } : {}),
});

export const headerMatch = (name: string, value: string) => ({ headers: { [name]: { exact: value } } });

// --- daemon debug views ------------------------------------------------------------------

async function getJson<T>(daemon: Daemon, path: string): Promise<T> {
  const res = await daemon.get(path);
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${res.body.slice(0, 500)}`);
  return JSON.parse(res.body) as T;
}

/** conIds of the daemon's ADS connections (/debug/adsz) from `<pod>.<ns>`. */
export async function adsConnectionIds(daemon: Daemon, pod: string): Promise<string[]> {
  const adsz = await getJson<{ clients: { conId: string; proxyId: string }[] }>(daemon, '/debug/adsz');
  return adsz.clients.filter((c) => c.proxyId === `${pod}.${NS}`).map((c) => c.conId);
}

export interface TypeSync {
  sent: string | null;
  sentNonce: string | null;
  acked: string | null;
  nacked: string | null;
  nackMessage: string | null;
  resources: number;
}
export interface ProxySync {
  proxy: string;
  conId: string;
  status: string;
  types: Record<string, TypeSync>;
}

/** /debug/syncz entries of `<pod>.<ns>` (one per connection). */
export async function syncOf(daemon: Daemon, pod: string): Promise<ProxySync[]> {
  return (await getJson<ProxySync[]>(daemon, '/debug/syncz')).filter((s) => s.proxy === `${pod}.${NS}`);
}

/** Sum of a Prometheus counter's samples on /metrics (monitoring port), optionally filtered by label text. */
export async function metricSum(daemon: Daemon, name: string, labelText = ''): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${daemon.monitoringPort}/metrics`);
  const text = await res.text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (labelText && !line.includes(labelText)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

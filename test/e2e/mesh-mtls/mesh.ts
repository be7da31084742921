/**
 * The control-plane half of the mesh mTLS end-to-end test: a --configDir with the server
 * workload (Service + Pod in namespace `echo`, service account `server`) and a PeerAuthentication,
 * the real daemon with its CA and secure port (JWT_RULE tokens from a local inline JWKS), and
 * `istiod-ts agent` processes that get certificates for a workload and write its gRPC bootstrap.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { stringify } from 'yaml';
import { startDaemon, type Daemon } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startAgentProcess, type AgentProcess } from '../agent/agent-process.js';

export const TRUST_DOMAIN = 'cluster.local';
export const SERVICE_PORT = 7070;
export const TLS_MODE_LABEL = 'security.istio.io/tlsMode';
const ISSUER = 'https://oidc.mesh-mtls.test';
/** A DNS name in the daemon's serving certificate (it is reached on 127.0.0.1). */
const ISTIOD_NAME = 'istiod.istio-system.svc';

export const spiffe = (ns: string, sa: string) => `spiffe://${TRUST_DOMAIN}/ns/${ns}/sa/${sa}`;

export interface ServerWorkload {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly pod: string;
  readonly app: string;
  readonly ip: string;
  readonly port: number;
}

export const xdsTarget = (w: ServerWorkload) => `xds:///${w.app}.${w.namespace}.svc.${TRUST_DOMAIN}:${SERVICE_PORT}`;

/** The Service and its one Running, Ready Pod; the Pod carries tlsMode=istio when `istioLabelled`. */
export function workloadObjects(w: ServerWorkload, istioLabelled: boolean): object[] {
  const labels = { app: w.app, ...(istioLabelled ? { [TLS_MODE_LABEL]: 'istio' } : {}) };
  return [
    {
      apiVersion: 'v1', kind: 'Service', metadata: { name: w.app, namespace: w.namespace },
      spec: { selector: { app: w.app }, ports: [{ name: 'grpc', port: SERVICE_PORT, targetPort: 'grpc', protocol: 'TCP' }] },
    },
    {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: w.pod, namespace: w.namespace, labels },
      spec: { serviceAccountName: w.serviceAccount, containers: [{ name: 'echo', image: 'echo:test', ports: [{ name: 'grpc', containerPort: w.port, protocol: 'TCP' }] }] },
      status: { phase: 'Running', podIP: w.ip, podIPs: [{ ip: w.ip }], conditions: [{ type: 'Ready', status: 'True' }, { type: 'ContainersReady', status: 'True' }] },
    },
  ];
}

export function peerAuthentication(namespace: string, mode: 'STRICT' | 'PERMISSIVE' | 'DISABLE'): object {
  return { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace }, spec: { mtls: { mode } } };
}

/** Writes YAML documents atomically (write + rename), so the watcher never reads half a file. */
export async function writeYaml(path: string, objects: readonly object[]): Promise<void> {
  await writeFile(`${path}.tmp`, objects.map((o) => stringify(o)).join('---\n'));
  await rename(`${path}.tmp`, path);
}

export interface TokenIssuer {
  /** The JWT_RULE value (issuer, audience istio-ca, inline JWKS). */
  readonly jwtRule: string;
  /** A token for system:serviceaccount:<ns>:<sa>. */
  token(namespace: string, serviceAccount: string): Promise<string>;
}

export async function makeTokenIssuer(): Promise<TokenIssuer> {
  const pair = await generateKeyPair('ES256');
  const key: CryptoKey = pair.privateKey;
  const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' }] };
  return {
    jwtRule: JSON.stringify({ issuer: ISSUER, audiences: ['istio-ca'], jwks: JSON.stringify(jwks) }),
    token(namespace, serviceAccount) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: ISSUER, aud: 'istio-ca', sub: `system:serviceaccount:${namespace}:${serviceAccount}` })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuedAt(now).setExpirationTime(now + 3600).sign(key);
    },
  };
}

export interface MeshDaemon {
  readonly daemon: Daemon;
  readonly secureAddress: string;
  readonly plaintextAddress: string;
  /** The roots file the daemon published (what agents trust). */
  readonly rootCertFile: string;
}

/** The daemon on loopback with its CA (self-signed root in `<stateDir>/ca`) and secure port. */
export async function startMeshDaemon(configDir: string, stateDir: string, jwtRule: string): Promise<MeshDaemon> {
  const caState = join(stateDir, 'ca');
  const daemon = await startDaemon(
    ['--configDir', configDir, '--secureGRPCAddr', '127.0.0.1:0', '--caStateDir', caState, '--caDir', join(stateDir, 'no-cacerts')],
    { JWT_RULE: jwtRule, PILOT_DEBOUNCE_AFTER: '20ms' },
  );
  try {
    const port = await waitFor('secure port', () => daemon.lines.find((l) => l.msg === 'secure xds server listening')?.port as number | undefined, 30_000);
    await waitFor('daemon ready', async () => (await daemon.get('/ready')).status === 200, 30_000);
    return { daemon, secureAddress: `127.0.0.1:${port}`, plaintextAddress: `127.0.0.1:${daemon.grpcPort}`, rootCertFile: join(caState, 'root-cert.pem') };
  } catch (err) {
    await daemon.stop();
    throw err;
  }
}

export interface WorkloadAgent {
  readonly agent: AgentProcess;
  /** The gRPC xDS bootstrap file it wrote. */
  readonly bootstrapFile: string;
  readonly certDir: string;
  bootstrap(): Promise<Record<string, unknown>>;
}

export interface AgentWorkload {
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly ip: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** `istiod-ts agent` for a workload, authenticating with `token`; resolves once certificates and bootstrap are written. */
export async function startWorkloadAgent(mesh: MeshDaemon, dir: string, w: AgentWorkload, token: string): Promise<WorkloadAgent> {
  const home = join(dir, w.name);
  await mkdir(home, { recursive: true });
  await writeFile(join(home, 'istio-token'), token);
  const bootstrapFile = join(home, 'grpc-bootstrap.json');
  const certDir = join(home, 'certs');
  const agent = startAgentProcess(['--caServerName', ISTIOD_NAME, '--discoveryAddress', mesh.plaintextAddress], {
    CA_ADDR: mesh.secureAddress,
    CA_ROOT_CA: mesh.rootCertFile,
    CA_AUTH_TOKEN: join(home, 'istio-token'),
    OUTPUT_CERTS: certDir,
    GRPC_XDS_BOOTSTRAP: bootstrapFile,
    POD_NAME: w.name,
    POD_NAMESPACE: w.namespace,
    SERVICE_ACCOUNT: w.serviceAccount,
    INSTANCE_IP: w.ip,
    ISTIO_METAJSON_LABELS: JSON.stringify(w.labels ?? {}),
    INITIAL_BACKOFF_MSEC: '200',
  });
  await agent.waitForLine('certificate written', 1, 30_000);
  await agent.waitForLine('gRPC xDS bootstrap written', 1, 30_000);
  return { agent, bootstrapFile, certDir, bootstrap: async () => JSON.parse(await readFile(bootstrapFile, 'utf8')) as Record<string, unknown> };
}

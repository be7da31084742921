/**
 * The mesh's identity system end to end, on loopback, with nothing faked: the daemon's CA issues
 * certificates over its secure port to two `istiod-ts agent` processes (server workload
 * echo/server, client workload app/client) that authenticate with JWT_RULE tokens and trust the
 * root the daemon published; each agent writes its certificates and a gRPC xDS bootstrap with a
 * `default` file_watcher provider; a grpc-js-xds XdsServer and a grpc-js-xds client, each its own
 * process reading GRPC_XDS_BOOTSTRAP, then talk through the configuration istiod-ts generates.
 *
 * What PeerAuthentication means for a proxyless gRPC server (the limitation this test pins down):
 * - STRICT: the server listener requires a client certificate from the mesh root; the client's
 *   cluster (automatic mTLS: the endpoint is labelled security.istio.io/tlsMode=istio) presents
 *   one and checks the server's SPIFFE identity. Plaintext and foreign-CA clients are refused.
 * - PERMISSIVE cannot mean "plaintext and mTLS on one port" for gRPC: gRFC A36 filter chains have
 *   no TLS inspector (transport_protocol is only raw_buffer), so one listener is either TLS or
 *   plaintext. Like Istio's grpcgen, istiod-ts serves PERMISSIVE as mTLS (STRICT) when the workload
 *   is labelled tlsMode=istio (mesh clients then use mTLS), and in plaintext otherwise (mesh
 *   clients' automatic mTLS then falls back to plaintext too). So under PERMISSIVE plaintext is
 *   accepted only from an unlabelled workload, and mTLS only on a labelled one; this test asserts
 *   both halves. The switches between them are listener updates that change only the transport
 *   socket, which grpc-js-xds 1.14 mishandles unless the filter bytes differ too (lds-server.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { Daemon } from '../../helpers/daemon.js';
import { freePortOn } from '../../helpers/grpc-echo.js';
import { waitFor } from '../../helpers/wait-for.js';
import { certificateProviders, makeRoot, makeWorkloadCerts } from '../grpc-mtls/certs.js';
import { makeTokenIssuer, peerAuthentication, spiffe, startMeshDaemon, startWorkloadAgent, workloadObjects, writeYaml, xdsTarget, TLS_MODE_LABEL, type MeshDaemon, type ServerWorkload, type WorkloadAgent } from './mesh.js';
import { callFromProcess, callInProcess, startEchoServer, type EchoServerProcess, type Outcome } from './workloads.js';

const SERVER_IP = '127.0.0.21';
const CLIENT_IP = '127.0.0.1';
const CLIENT_ID = spiffe('app', 'client');

const refused = (o: Outcome) => (o.ok ? `answered by ${o.backend}` : grpc.status[o.code]);

async function endpointTlsModes(daemon: Daemon): Promise<string[]> {
  const services = JSON.parse((await daemon.get('/debug/registryz')).body) as { endpoints: { tlsMode: string }[] }[];
  return services.flatMap((s) => s.endpoints.map((e) => e.tlsMode));
}

function leafSan(agent: WorkloadAgent): string {
  return new X509Certificate(readFileSync(join(agent.certDir, 'cert-chain.pem'))).subjectAltName ?? '';
}

interface Scenario {
  readonly dir: string;
  readonly server: ServerWorkload;
  readonly mesh: MeshDaemon;
  readonly clientAgent: WorkloadAgent;
  readonly echo: EchoServerProcess;
  readonly workloadsFile: string;
  readonly policyFile: string;
}

/** Config (STRICT, labelled workload), daemon, both agents and the echo server; `cleanups` undoes it. */
async function startScenario(cleanups: (() => Promise<unknown>)[]): Promise<Scenario> {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-mtls-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const configDir = join(dir, 'config');
  mkdirSync(configDir);
  const server: ServerWorkload = { namespace: 'echo', serviceAccount: 'server', pod: 'echo-1', app: 'echo', ip: SERVER_IP, port: await freePortOn([SERVER_IP]) };
  const workloadsFile = join(configDir, 'workloads.yaml');
  const policyFile = join(configDir, 'peer-authentication.yaml');
  await writeYaml(workloadsFile, workloadObjects(server, true));
  await writeYaml(policyFile, [peerAuthentication('echo', 'STRICT')]);

  const issuer = await makeTokenIssuer();
  const mesh = await startMeshDaemon(configDir, join(dir, 'state'), issuer.jwtRule);
  cleanups.push(() => mesh.daemon.stop());
  const agentsDir = join(dir, 'agents');
  const [serverAgent, clientAgent] = await Promise.all([
    startWorkloadAgent(mesh, agentsDir, { name: server.pod, namespace: 'echo', serviceAccount: 'server', ip: SERVER_IP, labels: { app: 'echo', [TLS_MODE_LABEL]: 'istio' } },
      await issuer.token('echo', 'server')),
    startWorkloadAgent(mesh, agentsDir, { name: 'client-1', namespace: 'app', serviceAccount: 'client', ip: CLIENT_IP, labels: { app: 'client' } },
      await issuer.token('app', 'client')),
  ]);
  cleanups.push(() => serverAgent.agent.stop(), () => clientAgent.agent.stop());
  assert.equal(leafSan(serverAgent), `URI:${spiffe('echo', 'server')}`, 'the server workload\'s certificate names its token identity');
  assert.equal(leafSan(clientAgent), `URI:${CLIENT_ID}`, 'the client workload\'s certificate names its token identity');
  const publishedRoot = readFileSync(mesh.rootCertFile, 'utf8').trim();
  for (const a of [serverAgent, clientAgent]) assert.equal(readFileSync(join(a.certDir, 'root-cert.pem'), 'utf8').trim(), publishedRoot, 'workloads trust the published root');

  const echo = await startEchoServer(`${SERVER_IP}:${server.port}`, server.pod, serverAgent.bootstrapFile);
  cleanups.push(() => echo.stop());
  return { dir, server, mesh, clientAgent, echo, workloadsFile, policyFile };
}

/** Certificates claiming the client's identity from another CA, trusting the mesh root (only the server can object). */
function foreignCaProviders(s: Scenario): Record<string, unknown> {
  const meshRootDir = join(s.dir, 'mesh-root');
  mkdirSync(meshRootDir);
  copyFileSync(s.mesh.rootCertFile, join(meshRootDir, 'root.pem'));
  return certificateProviders(makeWorkloadCerts(s.dir, 'rogue', CLIENT_ID, makeRoot(s.dir, 'rogue-root'), meshRootDir));
}

test('agent-issued identities: mTLS under STRICT, foreign CA and plaintext refused; PERMISSIVE as gRPC can serve it', async (t) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  t.after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });
  const s = await startScenario(cleanups);
  const { server, echo } = s;
  const target = xdsTarget(server);
  const clientBootstrap = await s.clientAgent.bootstrap();
  const meshClient = () => callFromProcess(target, s.clientAgent.bootstrapFile);
  const plainDirect = () => callInProcess(`${SERVER_IP}:${server.port}`, { xdsCredentials: false });
  const rogueBootstrap = { ...clientBootstrap, certificate_providers: foreignCaProviders(s) };

  // STRICT: the mesh client's call is mutual TLS and the server sees who called.
  assert.deepEqual(await meshClient(), { ok: true, backend: server.pod }, 'mTLS call under STRICT');
  assert.deepEqual(echo.peers, [CLIENT_ID], 'the server saw the client\'s SPIFFE identity');
  // The same client configuration in this process (control for the variants below).
  assert.deepEqual(await callInProcess(target, { bootstrap: clientBootstrap, xdsCredentials: true }), { ok: true, backend: server.pod });
  assert.equal(refused(await callInProcess(target, { bootstrap: rogueBootstrap, xdsCredentials: true })), 'UNAVAILABLE', 'a certificate the mesh root did not sign is refused');
  // Plaintext: an xDS client ignoring the cluster's TLS, and a client with no xDS at all.
  assert.equal(refused(await callInProcess(target, { bootstrap: clientBootstrap, xdsCredentials: false })), 'UNAVAILABLE', 'plaintext xDS client refused under STRICT');
  assert.equal(refused(await plainDirect()), 'UNAVAILABLE', 'plaintext direct client refused under STRICT');
  assert.deepEqual(echo.peers, [CLIENT_ID, CLIENT_ID], 'only the two mTLS calls reached the server');

  // PERMISSIVE, workload not labelled tlsMode=istio: served in plaintext, to everyone.
  await writeYaml(s.policyFile, [peerAuthentication('echo', 'PERMISSIVE')]);
  await writeYaml(s.workloadsFile, workloadObjects(server, false));
  await waitFor('the server to accept plaintext', async () => (await plainDirect()).ok, 30_000, 200);
  assert.deepEqual(await meshClient(), { ok: true, backend: server.pod }, 'the mesh client still reaches the server');
  assert.equal(echo.peers.at(-1), '', 'in plaintext: automatic mTLS is off for an unlabelled endpoint');

  // PERMISSIVE, workload labelled tlsMode=istio: served as mTLS, so plaintext is refused again.
  await writeYaml(s.workloadsFile, workloadObjects(server, true));
  await waitFor('the registry to see the label again', async () => (await endpointTlsModes(s.mesh.daemon)).includes('istio'), 30_000, 100);
  await waitFor('the server to require mTLS again', async () => !(await plainDirect()).ok, 30_000, 200);
  const before = echo.peers.length;
  assert.deepEqual(await meshClient(), { ok: true, backend: server.pod }, 'mTLS call under PERMISSIVE (labelled)');
  assert.deepEqual(echo.peers.slice(before), [CLIENT_ID], 'mutual TLS: the server saw the client\'s identity');
  assert.equal(refused(await plainDirect()), 'UNAVAILABLE', 'plaintext refused: gRPC cannot serve both on one port');
  assert.equal(refused(await callInProcess(target, { bootstrap: rogueBootstrap, xdsCredentials: true })), 'UNAVAILABLE', 'a foreign CA is still refused');
});

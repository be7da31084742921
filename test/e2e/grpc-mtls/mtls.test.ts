/**
 * Proxyless mTLS end to end on loopback, both sides grpc-js-xds (1.14) reading certificates
 * through the bootstrap's file_watcher provider, config from istiod-ts: PeerAuthentication
 * STRICT makes the XdsServer require client certificates; the client's cluster gets automatic
 * mTLS (endpoints labelled tlsMode=istio) with the service's SPIFFE identities as SANs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { freePortOn } from '../../helpers/grpc-echo.js';
import { cCoreAvailable, PYTHON } from '../proxyless/c-core.js';
import { makeRoot, makeWorkloadCerts } from './certs.js';
import { callOnce, peerAuthentication, spiffe, startMtlsMesh, TLS_MODE_LABEL, xdsTarget, type MeshPod } from './mesh.js';

test('STRICT: mTLS call succeeds, plaintext and untrusted clients are refused, a server with an unexpected identity is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'istiod-ts-mtls-certs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const root = makeRoot(dir, 'root');
  const rogueRoot = makeRoot(dir, 'rogue-root');
  const echoCerts = makeWorkloadCerts(dir, 'echo', spiffe('echo-sa'), root);
  const impostorCerts = makeWorkloadCerts(dir, 'impostor', spiffe('impostor-sa'), root);
  const clientCerts = makeWorkloadCerts(dir, 'client', spiffe('client-sa'), root);
  // Signed by another CA, trusting the mesh root: it can verify servers, servers cannot verify it.
  const rogueCerts = makeWorkloadCerts(dir, 'rogue', spiffe('client-sa'), rogueRoot, root);

  const istio = { [TLS_MODE_LABEL]: 'istio' };
  const echo: MeshPod = { pod: 'echo-1', app: 'echo', ip: '127.0.0.5', port: await freePortOn(['127.0.0.5']), serviceAccount: 'echo-sa', labels: istio };
  // The registry says this workload runs as echo-sa; the server presents impostor-sa.
  const spoofed: MeshPod = { pod: 'spoofed-1', app: 'spoofed', ip: '127.0.0.6', port: await freePortOn(['127.0.0.6']), serviceAccount: 'echo-sa', labels: istio };
  const mesh = await startMtlsMesh([echo, spoofed], ['echo', 'spoofed'], [peerAuthentication('STRICT')]);
  t.after(() => mesh.close());

  const echoServer = await mesh.startServer(echo, echoCerts);
  const spoofedServer = await mesh.startServer(spoofed, impostorCerts);

  const client = (pod: string, certs: typeof clientCerts) => mesh.bootstrap(pod, '127.0.0.1', certs);
  const ok = await callOnce(xdsTarget('echo'), { bootstrap: client('client', clientCerts), xdsCreds: true, deadlineMs: 10_000 });
  assert.deepEqual(ok, { ok: true, backend: 'echo-1' }, 'mTLS call through xDS credentials');
  assert.deepEqual(echoServer.peers, [spiffe('client-sa')], 'the server saw the client certificate: the connection was mutual TLS');

  const plaintext = await callOnce(`${echo.ip}:${echo.port}`, { xdsCreds: false });
  assert.equal(plaintext.ok, false, 'a plaintext client is refused by the STRICT server');
  assert.equal(!plaintext.ok && plaintext.code, grpc.status.UNAVAILABLE);

  const rogue = await callOnce(xdsTarget('echo'), { bootstrap: client('rogue', rogueCerts), xdsCreds: true });
  assert.equal(rogue.ok, false, 'a client whose certificate the mesh root did not sign is refused');

  const impostor = await callOnce(xdsTarget('spoofed'), { bootstrap: client('client-2', clientCerts), xdsCreds: true });
  assert.equal(impostor.ok, false, 'the client refuses a server whose SPIFFE identity is not the service\'s');
  assert.match(!impostor.ok ? impostor.details : '', /subject alternative name/i, 'refused by the SAN match');
  assert.equal(echoServer.calls, 1, 'only the mTLS call reached the echo server');
  assert.equal(spoofedServer.calls, 0, 'no call reached the impostor');
});

/** One call from the C-core client with this bootstrap: {backend} or {error, details}. */
function cCoreCall(target: string, bootstrap: object): Promise<{ backend?: string; error?: string; details?: string }> {
  return new Promise((done, fail) => {
    const env = { ...process.env, GRPC_XDS_BOOTSTRAP_CONFIG: JSON.stringify(bootstrap) };
    execFile(PYTHON, [resolve('test/e2e/grpc-mtls/py/mtls_client.py'), target], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) return fail(new Error(`C-core client failed: ${stderr.slice(-2000)}`));
      try {
        done(JSON.parse(stdout) as { backend?: string });
      } catch {
        fail(new Error(`C-core client printed no JSON: ${stdout.slice(0, 300)} ${stderr.slice(-2000)}`));
      }
    });
  });
}

test('gRPC C-core (python3-grpcio) accepts the mTLS cluster and calls a STRICT XdsServer over mTLS; a wrong server identity fails', async (t) => {
  const available = cCoreAvailable();
  if (available !== true) return void t.skip(available);
  const dir = mkdtempSync(join(tmpdir(), 'istiod-ts-mtls-certs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const root = makeRoot(dir, 'root');
  const istio = { [TLS_MODE_LABEL]: 'istio' };
  const echo: MeshPod = { pod: 'echo-1', app: 'echo', ip: '127.0.0.7', port: await freePortOn(['127.0.0.7']), serviceAccount: 'echo-sa', labels: istio };
  const spoofed: MeshPod = { pod: 'spoofed-1', app: 'spoofed', ip: '127.0.0.8', port: await freePortOn(['127.0.0.8']), serviceAccount: 'echo-sa', labels: istio };
  const mesh = await startMtlsMesh([echo, spoofed], ['echo', 'spoofed'], [peerAuthentication('STRICT')]);
  t.after(() => mesh.close());
  const echoServer = await mesh.startServer(echo, makeWorkloadCerts(dir, 'echo', spiffe('echo-sa'), root));
  await mesh.startServer(spoofed, makeWorkloadCerts(dir, 'impostor', spiffe('impostor-sa'), root));
  const clientCerts = makeWorkloadCerts(dir, 'client', spiffe('py-client-sa'), root);

  const ok = await cCoreCall(xdsTarget('echo'), mesh.bootstrap('py-client', '127.0.0.1', clientCerts));
  assert.deepEqual(ok, { backend: 'echo-1' }, 'C-core mTLS call');
  assert.deepEqual(echoServer.peers, [spiffe('py-client-sa')], 'the server saw the C-core client certificate');
  const wrong = await cCoreCall(xdsTarget('spoofed'), mesh.bootstrap('py-client-2', '127.0.0.1', clientCerts));
  assert.equal(wrong.backend, undefined, `C-core refuses a server with an unexpected identity: ${JSON.stringify(wrong)}`);
});

/**
 * AuthorizationPolicy on proxyless gRPC end to end (gRFC A41): the real istiod-ts daemon, a
 * grpc-js-xds XdsServer (RBAC enabled) and xDS clients on loopback, mTLS with workload
 * certificates issued by this project's CA. PeerAuthentication STRICT plus an ALLOW by
 * principal admits client-a and refuses client-b with PERMISSION_DENIED; adding a DENY on one
 * method makes that method PERMISSION_DENIED for client-a while its other method still works.
 */
import './enable-rbac.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ECHO_METHOD, ECHO_PING_METHOD, freePortOn } from '../../helpers/grpc-echo.js';
import { waitFor } from '../../helpers/wait-for.js';
import { cCoreAvailable, PYTHON } from '../proxyless/c-core.js';
import { callOnce, NS, peerAuthentication, spiffe, startMtlsMesh, TLS_MODE_LABEL, xdsTarget, type MeshPod, type Outcome } from '../grpc-mtls/mesh.js';
import { startTestCa } from './ca-certs.js';

function authorizationPolicy(name: string, action: 'ALLOW' | 'DENY', rule: object): object {
  return { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: NS }, spec: { selector: { matchLabels: { app: 'echo' } }, action, rules: [rule] } };
}

const allowClientA = authorizationPolicy('allow-client-a', 'ALLOW', { from: [{ source: { principals: [`cluster.local/ns/${NS}/sa/client-a`] } }] });
const denyPing = authorizationPolicy('deny-ping', 'DENY', { to: [{ operation: { paths: [ECHO_PING_METHOD] } }] });

const denied = (o: Outcome) => !o.ok && o.code === grpc.status.PERMISSION_DENIED;

test('ALLOW by principal admits client-a and refuses client-b; a DENY on a method wins over the ALLOW', async (t) => {
  assert.equal(process.env.GRPC_XDS_EXPERIMENTAL_RBAC, 'true', 'RBAC must be enabled before grpc-js-xds loads');
  const dir = mkdtempSync(join(tmpdir(), 'istiod-ts-rbac-certs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ca = await startTestCa(dir);
  t.after(() => ca.close());
  const echoCerts = await ca.issue('echo', NS, 'echo-sa');
  const aCerts = await ca.issue('client-a', NS, 'client-a');
  const bCerts = await ca.issue('client-b', NS, 'client-b');

  const echo: MeshPod = { pod: 'echo-1', app: 'echo', ip: '127.0.0.9', port: await freePortOn(['127.0.0.9']), serviceAccount: 'echo-sa', labels: { [TLS_MODE_LABEL]: 'istio' } };
  const mesh = await startMtlsMesh([echo], ['echo'], [peerAuthentication('STRICT'), allowClientA]);
  t.after(() => mesh.close());
  const server = await mesh.startServer(echo, echoCerts);

  let n = 0;
  const call = (certs: typeof aCerts, method = ECHO_METHOD) =>
    callOnce(xdsTarget('echo'), { bootstrap: mesh.bootstrap(`client-${++n}`, '127.0.0.1', certs), xdsCreds: true, deadlineMs: 10_000, method });

  assert.deepEqual(await call(aCerts), { ok: true, backend: 'echo-1' }, 'client-a is allowed');
  assert.deepEqual(server.peers, [spiffe('client-a')], 'the call came over mTLS with the CA-issued client-a identity');
  const b = await call(bCerts);
  assert.ok(denied(b), `client-b is refused with PERMISSION_DENIED: ${JSON.stringify(b)}`);
  assert.equal(server.calls, 1, 'the refused call never reached the handler');
  assert.deepEqual(await call(aCerts, ECHO_PING_METHOD), { ok: true, backend: 'echo-1' }, 'client-a may call Ping before the DENY');

  await mesh.replacePolicies([peerAuthentication('STRICT'), allowClientA, denyPing]);
  // Calls made while the new listener is on its way may still pass; poll until one is refused.
  await waitFor('the DENY on Ping to reach the server', async () => denied(await call(aCerts, ECHO_PING_METHOD)), 20_000, 100);
  const pingsBefore = server.pings;
  const ping = await call(aCerts, ECHO_PING_METHOD);
  assert.ok(denied(ping), `the DENY on Ping wins over the ALLOW for client-a: ${JSON.stringify(ping)}`);
  assert.equal(server.pings, pingsBefore, 'the refused Ping never reached the handler');
  assert.deepEqual(await call(aCerts), { ok: true, backend: 'echo-1' }, 'client-a still reaches Echo');
  assert.ok(denied(await call(bCerts)), 'client-b is still refused');
});

test('gRPC C-core (python3-grpcio) as the XdsServer accepts the RBAC filters and enforces them the same way', async (t) => {
  const available = cCoreAvailable();
  if (available !== true) return void t.skip(available);
  const dir = mkdtempSync(join(tmpdir(), 'istiod-ts-rbac-certs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ca = await startTestCa(dir);
  t.after(() => ca.close());
  const echoCerts = await ca.issue('echo', NS, 'echo-sa');
  const aCerts = await ca.issue('client-a', NS, 'client-a');
  const bCerts = await ca.issue('client-b', NS, 'client-b');

  const labels = { [TLS_MODE_LABEL]: 'istio' };
  const echo: MeshPod = { pod: 'echo-c', app: 'echo', ip: '127.0.0.10', port: await freePortOn(['127.0.0.10']), serviceAccount: 'echo-sa', labels };
  const mesh = await startMtlsMesh([echo], ['echo'], [peerAuthentication('STRICT'), allowClientA, denyPing]);
  t.after(() => mesh.close());
  const bootstrap = mesh.bootstrap(echo.pod, echo.ip, echoCerts, { app: echo.app, ...labels });
  const server = spawn(PYTHON, [resolve('test/e2e/grpc-rbac/py/rbac_server.py'), `${echo.ip}:${echo.port}`, echo.pod], {
    env: { ...process.env, GRPC_XDS_BOOTSTRAP_CONFIG: JSON.stringify(bootstrap) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  server.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  t.after(() => { server.kill(); });

  let n = 0;
  const call = (certs: typeof aCerts, method = ECHO_METHOD) =>
    callOnce(xdsTarget('echo'), { bootstrap: mesh.bootstrap(`c-client-${++n}`, '127.0.0.1', certs), xdsCreds: true, deadlineMs: 5_000, method });
  // The C-core server serves once its listener (with the RBAC filters) is accepted.
  await waitFor(`the C-core server to serve client-a (stderr: ${stderr})`, async () => (await call(aCerts)).ok, 30_000, 200)
    .catch((err: Error) => { throw new Error(`${err.message}; C-core stderr: ${stderr}`); });
  const b = await call(bCerts);
  assert.ok(denied(b), `client-b is refused with PERMISSION_DENIED: ${JSON.stringify(b)}`);
  const ping = await call(aCerts, ECHO_PING_METHOD);
  assert.ok(denied(ping), `the DENY on Ping wins over the ALLOW for client-a: ${JSON.stringify(ping)}`);
  assert.deepEqual(await call(aCerts), { ok: true, backend: 'echo-c' }, 'client-a reaches Echo');
});

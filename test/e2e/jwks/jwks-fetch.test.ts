/**
 * istiod fetches a RequestAuthentication's jwksUri and inlines it: the real daemon, a JWKS
 * served from a loopback HTTP server, a sidecar reading LDS over ADS. The sidecar's jwt_authn
 * filter must carry the served key set; after the server rotates its keys, the new set must be
 * pushed once the (test-short) PILOT_JWT_PUB_KEY_REFRESH_INTERVAL has passed. /metrics counts
 * the network fetches under Istio's names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { XdsClient } from '../../helpers/xds-client.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';

type Json = Record<string, unknown>;

const keySet = (kid: string) => JSON.stringify({ keys: [{ kty: 'RSA', kid, alg: 'RS256', e: 'AQAB', n: `${kid.replace(/-/g, '')}AAAA` }] });

function mesh(jwksUri: string): string {
  return `
apiVersion: v1
kind: Service
metadata: {name: app, namespace: default}
spec:
  clusterIP: 10.96.0.9
  selector: {app: app}
  ports: [{name: http, port: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: app-1, namespace: default, labels: {app: app, security.istio.io/tlsMode: istio}}
spec: {serviceAccountName: app, containers: [{name: c, ports: [{containerPort: 8080}]}]}
status: {phase: Running, podIP: 10.0.0.9, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: default}
spec:
  selector: {matchLabels: {app: app}}
  jwtRules:
  - issuer: https://issuer.example
    jwksUri: ${jwksUri}
`;
}

/** Every object named envoy.filters.http.jwt_authn anywhere in the listeners. */
function jwtFilters(value: unknown, out: Json[] = []): Json[] {
  if (Array.isArray(value)) for (const v of value) jwtFilters(v, out);
  else if (value && typeof value === 'object') {
    if ((value as Json).name === 'envoy.filters.http.jwt_authn') out.push(value as Json);
    for (const v of Object.values(value)) jwtFilters(v, out);
  }
  return out;
}

test('a jwksUri key set is fetched, inlined into the sidecar\'s jwt_authn filter, and rotated on refresh', async (t) => {
  let served = keySet('e2e-key-a');
  const server = http.createServer((req, res) => {
    res.writeHead(req.url === '/keys' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(req.url === '/keys' ? served : '');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  t.after(() => new Promise<void>((done) => { server.closeAllConnections(); server.close(() => done()); }));
  const jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`;

  const dir = await mkdtemp(join(tmpdir(), 'istiod-ts-jwks-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'mesh.yaml'), mesh(jwksUri));
  const daemon = await startDaemon(['--configDir', dir], { PILOT_JWT_PUB_KEY_REFRESH_INTERVAL: '1s' });
  t.after(() => daemon.stop());
  await waitFor('ready', async () => (await daemon.get('/ready')).status === 200, 20_000);

  const client = XdsClient.connect({
    address: `127.0.0.1:${daemon.grpcPort}`,
    node: { id: 'sidecar~10.0.0.9~app-1.default~default.svc.cluster.local', metadata: { NAMESPACE: 'default', LABELS: { app: 'app' }, INSTANCE_IPS: '10.0.0.9' }, locality: { region: 'r1', zone: 'z1' } },
  });
  t.after(() => client.close());
  client.subscribe(TypeUrl.Listener);

  const inlined = () => JSON.stringify(jwtFilters([...client.resources(TypeUrl.Listener).values()].map((r) => r.body)));
  await waitFor('LDS with a jwt_authn filter inlining the served key set', () => inlined().includes('e2e-key-a'), 10_000);
  assert.ok(jwtFilters([...client.resources(TypeUrl.Listener).values()].map((r) => r.body)).length > 0, 'a jwt_authn filter is served');

  served = keySet('e2e-key-b');
  await waitFor('the rotated key set pushed after the refresh interval', () => inlined().includes('e2e-key-b') && !inlined().includes('e2e-key-a'), 10_000);

  const metrics = await (await fetch(`http://127.0.0.1:${daemon.monitoringPort}/metrics`)).text();
  const successes = Number(/^pilot_jwks_resolver_network_fetch_success_total (\d+)/m.exec(metrics)?.[1]);
  assert.ok(successes >= 2, `two or more successful fetches counted, got ${successes}`);
});

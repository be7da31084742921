/**
 * The webhook port's HTTP semantics and AdmissionReview handling, over plain loopback HTTP:
 * routes, 405/415/413/400 with messages, uid echo, injection patch, refusals naming field paths,
 * validation with warnings, revision skip, and a property test: random bodies never crash it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startHarness, pod, review, type Harness } from './harness.js';
import { applyPatch } from '../../golden/inject/apply-patch.js';

let h: Harness;
before(async () => {
  h = await startHarness({ maxBodyBytes: 64 * 1024 });
});
after(() => h.close());

const responseOf = (body: string) => (JSON.parse(body) as { response: { uid: string; allowed: boolean; patch?: string; patchType?: string; status?: { message: string; code: number }; warnings?: string[] } }).response;

test('inject: a pod gets a JSON patch whose result has istio-init and istio-proxy; the uid is echoed', async () => {
  const input = pod();
  const r = await h.post('/inject', review(input));
  assert.equal(r.status, 200);
  const res = responseOf(r.body);
  assert.equal(res.uid, 'uid-1');
  assert.equal(res.allowed, true);
  assert.equal(res.patchType, 'JSONPatch');
  const patched = applyPatch(input, JSON.parse(Buffer.from(res.patch!, 'base64').toString('utf8'))) as typeof input & { spec: { initContainers: { name: string }[] } };
  assert.deepEqual(patched.spec.containers.map((c) => c.name), ['web', 'istio-proxy']);
  assert.deepEqual(patched.spec.initContainers.map((c) => c.name), ['istio-init']);
});

test('inject: kube-system pods and non-Pod objects are allowed without a patch', async () => {
  for (const body of [review(pod('kube-system')), review({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' } })]) {
    const res = responseOf((await h.post('/inject', body)).body);
    assert.equal(res.allowed, true);
    assert.equal(res.patch, undefined);
  }
});

test('inject: /inject/cluster/<id>/net/<network> sets the proxy env; a bad annotation is refused naming the field', async () => {
  const input = pod();
  const res = responseOf((await h.post('/inject/cluster/east/net/net1', review(input))).body);
  const patched = applyPatch(input, JSON.parse(Buffer.from(res.patch!, 'base64').toString('utf8'))) as { spec: { containers: { name: string; env?: { name: string; value?: string }[] }[] } };
  const env = patched.spec.containers.find((c) => c.name === 'istio-proxy')!.env!;
  assert.equal(env.find((e) => e.name === 'ISTIO_META_CLUSTER_ID')?.value, 'east');
  assert.equal(env.find((e) => e.name === 'ISTIO_META_NETWORK')?.value, 'net1');
  const bad = responseOf((await h.post('/inject', review(pod('default', { annotations: { 'sidecar.istio.io/interceptionMode': 'BOGUS' } })))).body);
  assert.equal(bad.allowed, false);
  assert.match(bad.status!.message, /metadata\.annotations\[sidecar\.istio\.io\/interceptionMode\]/);
  assert.equal(h.counts['failed:inject'], 1);
});

test('validate: an invalid VirtualService is refused naming the field path; EnvoyFilter warnings pass through; DELETE allowed', async () => {
  const vs = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'bad', namespace: 'default' }, spec: { hosts: ['web'], http: [{ route: [{ destination: { host: 'web' }, weight: -5 }] }] } };
  const res = responseOf((await h.post('/validate', review(vs, { resource: { group: 'networking.istio.io', version: 'v1', resource: 'virtualservices' } }))).body);
  assert.equal(res.allowed, false);
  assert.match(res.status!.message, /^configuration is invalid: VirtualService default\/bad: spec\.http\[0\]\.route\[0\]\.weight/);
  assert.equal(h.counts['failed:virtualservices:invalid_config'], 1);
  const ef = { apiVersion: 'networking.istio.io/v1alpha3', kind: 'EnvoyFilter', metadata: { name: 'ef', namespace: 'default' }, spec: {} };
  const warned = responseOf((await h.post('/validate/', review(ef))).body);
  assert.equal(warned.allowed, true, JSON.stringify(warned));
  assert.ok(warned.warnings?.some((w) => w.includes('EnvoyFilter exposes internal implementation details')), JSON.stringify(warned));
  assert.equal(responseOf((await h.post('/validate', review(vs, { operation: 'DELETE' }))).body).allowed, true);
});

test('validate: non-Istio kinds allowed; another revision\'s objects skipped; an unknown Istio kind refused', async () => {
  assert.equal(responseOf((await h.post('/validate', review({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }))).body).allowed, true);
  const otherRev = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'bad', namespace: 'default', labels: { 'istio.io/rev': 'canary' } }, spec: { hosts: [] } };
  assert.equal(responseOf((await h.post('/validate', review(otherRev))).body).allowed, true);
  const ours = { ...otherRev, metadata: { ...otherRev.metadata, labels: { 'istio.io/rev': 'default' } } };
  assert.equal(responseOf((await h.post('/validate', review(ours))).body).allowed, false);
  const unknown = responseOf((await h.post('/validate', review({ apiVersion: 'networking.istio.io/v1', kind: 'Frobnicator', metadata: { name: 'f' } }))).body);
  assert.equal(unknown.allowed, false);
  assert.match(unknown.status!.message, /unrecognized type Frobnicator/);
});

test('HTTP errors: 415 content type, 400 non-JSON / not a review / too deep / empty, 413 too large, 405, 404', async () => {
  const cases: Array<[string, string | Buffer, string, number, RegExp]> = [
    ['/inject', review(pod()), 'text/plain', 415, /Content-Type/],
    ['/validate', '{not json', 'application/json', 400, /could not decode body/],
    ['/validate', '{"kind":"Pod"}', 'application/json', 400, /not an AdmissionReview: kind/],
    ['/validate', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }), 'application/json', 400, /request: required/],
    ['/inject', '['.repeat(10_000) + ']'.repeat(10_000), 'application/json', 400, /nested deeper/],
    ['/inject', '', 'application/json', 400, /no body/],
    ['/inject', Buffer.alloc(64 * 1024 + 1, 32), 'application/json', 413, /larger than 65536/],
    ['/nowhere', '{}', 'application/json', 404, /no such endpoint/],
  ];
  for (const [path, body, type, status, message] of cases) {
    const r = await h.post(path, body, type);
    assert.equal(r.status, status, `${path} ${type} ${String(body).slice(0, 30)}: ${r.body}`);
    assert.match(r.body, message);
  }
  const get = await new Promise<number>((resolve) => request({ host: '127.0.0.1', port: h.port, path: '/inject' }, (res) => (res.resume(), resolve(res.statusCode ?? 0))).end());
  assert.equal(get, 405);
});

/** Deterministic pseudo-random generator (xorshift), so a failure reproduces. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

function randomJson(r: () => number, depth: number): unknown {
  const pick = Math.floor(r() * (depth > 4 ? 4 : 7));
  const scalars = [null, true, 0, -1, 1e308, '', 'x'.repeat(Math.floor(r() * 20)), 'Pod', 'CREATE', 'sidecar.istio.io/inject'];
  if (pick < 4) return scalars[Math.floor(r() * scalars.length)];
  if (pick === 4) return Array.from({ length: Math.floor(r() * 4) }, () => randomJson(r, depth + 1));
  const keys = ['apiVersion', 'kind', 'request', 'uid', 'object', 'metadata', 'spec', 'containers', 'annotations', 'labels', 'name', 'namespace', 'operation', 'hostNetwork', 'initContainers', 'ports', 'env'];
  return Object.fromEntries(Array.from({ length: Math.floor(r() * 5) }, () => [keys[Math.floor(r() * keys.length)]!, randomJson(r, depth + 1)]));
}

test('property: random bodies and random reviews never crash the server; every answer is 200 or 400', async () => {
  const r = rng(0x5eed);
  const statuses: Record<number, number> = {};
  for (let i = 0; i < 300; i++) {
    const object = randomJson(r, 0);
    const wrapped = r() < 0.7
      ? JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: `u${i}`, kind: { group: r() < 0.5 ? '' : 'networking.istio.io', version: 'v1', kind: r() < 0.5 ? 'Pod' : 'VirtualService' }, operation: 'CREATE', namespace: 'default', object } })
      : JSON.stringify(object);
    const body = r() < 0.1 ? wrapped.slice(0, Math.floor(r() * wrapped.length)) : wrapped;
    const res = await h.post(r() < 0.5 ? '/inject' : '/validate', body);
    assert.ok(res.status === 200 || res.status === 400, `case ${i}: ${res.status} ${res.body} for ${body.slice(0, 200)}`);
    if (res.status === 200) assert.equal(responseOf(res.body).uid, `u${i}`);
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
  }
  assert.ok((statuses[200] ?? 0) > 50 && (statuses[400] ?? 0) > 10, `both outcomes exercised: ${JSON.stringify(statuses)}`);
  const ready = await new Promise<number>((resolve) => request({ host: '127.0.0.1', port: h.port, path: '/ready' }, (res) => (res.resume(), resolve(res.statusCode ?? 0))).end());
  assert.equal(ready, 200, 'still serving');
});

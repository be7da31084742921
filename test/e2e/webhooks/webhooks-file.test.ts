/**
 * The webhook port of the real daemon (file mode, self-signed CA) over HTTPS, the certificate
 * verified against the published root with SAN istiod.istio-system.svc: a pod injected through
 * the returned JSONPatch equals the golden-expected pod; kube-system pods pass unchanged;
 * /validate refuses an invalid VirtualService naming the field path and passes warnings;
 * 415 / 400 (non-JSON, 10,000 levels deep) / 413 (6 MiB + 1); 50 concurrent clients get no 5xx;
 * the injector config comes from --injectionDir; metrics carry Istio's names.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startDaemon, type Daemon } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { admissionReview, patched, responseOf, webhookClient, type WebhookClient } from './https-client.js';

let dir: string;
let daemon: Daemon;
let client: WebhookClient;

const golden = async (name: string) => {
  const input = parse(await readFile(join('test/golden/inject', name, 'input.yaml'), 'utf8')) as Record<string, unknown>;
  const output = parse(await readFile(join('test/golden/inject', name, 'output.yaml'), 'utf8')) as Record<string, unknown>;
  return { input, output };
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'istiod-ts-webhooks-'));
  await mkdir(join(dir, 'config'));
  await mkdir(join(dir, 'inject'));
  // Same as the built-in policy, plus a selector the test can see take effect.
  await writeFile(join(dir, 'inject', 'config'), 'policy: enabled\nneverInjectSelector:\n- matchLabels: {batch: "true"}\n');
  daemon = await startDaemon(['--configDir', join(dir, 'config'), '--secureGRPCAddr', '127.0.0.1:0', '--caStateDir', join(dir, 'ca'), '--caDir', join(dir, 'no-cacerts'), '--injectionDir', join(dir, 'inject')]);
  const port = await waitFor('webhook server', () => daemon.lines.find((l) => l.msg === 'webhook server listening')?.port as number | undefined, 20_000);
  client = webhookClient(port!, await readFile(join(dir, 'ca', 'root-cert.pem'), 'utf8'));
});

after(async () => {
  client?.close();
  await daemon?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('the server certificate chains to the root and names istiod.istio-system.svc; /ready answers', async () => {
  const ready = await client.get('/ready');
  assert.equal(ready.status, 200);
  assert.match(ready.peerSans, /DNS:istiod\.istio-system\.svc/);
});

test('inject: the JSONPatch applied to the pod gives the golden-expected pod; kube-system and neverInjectSelector pods pass unchanged', async () => {
  const { input, output } = await golden('basic-pod');
  const res = responseOf((await client.post('/inject', admissionReview('uid-basic', input, 'default'))).body);
  assert.equal(res.uid, 'uid-basic');
  assert.equal(res.allowed, true);
  assert.equal(res.patchType, 'JSONPatch');
  assert.deepEqual(patched(input, res), output);
  for (const [ns, labels] of [['kube-system', {}], ['default', { batch: 'true' }]] as const) {
    const pod = { ...input, metadata: { ...(input.metadata as object), namespace: ns, labels } };
    const skipped = responseOf((await client.post('/inject', admissionReview(`uid-${ns}`, pod, ns))).body);
    assert.equal(skipped.allowed, true);
    assert.equal(skipped.patch, undefined, `${ns} ${JSON.stringify(labels)}`);
  }
});

test('validate: an invalid VirtualService is refused naming the field path; warnings are passed', async () => {
  const vs = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'reviews', namespace: 'default' }, spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' }, weight: -1 }] }] } };
  const refused = responseOf((await client.post('/validate', admissionReview('uid-vs', vs, 'default'))).body);
  assert.equal(refused.allowed, false);
  assert.equal(refused.uid, 'uid-vs');
  assert.match(refused.status!.message, /spec\.http\[0\]\.route\[0\]\.weight/);
  const ef = { apiVersion: 'networking.istio.io/v1alpha3', kind: 'EnvoyFilter', metadata: { name: 'ef', namespace: 'default' }, spec: {} };
  const warned = responseOf((await client.post('/validate', admissionReview('uid-ef', ef, 'default'))).body);
  assert.equal(warned.allowed, true);
  assert.ok((warned.warnings ?? []).length > 0);
});

test('bad requests: 415 wrong content type, 400 non-JSON, 400 10,000 levels deep, 413 6 MiB + 1', async () => {
  const pod = admissionReview('u', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [] } }, 'default');
  assert.equal((await client.post('/inject', pod, 'application/yaml')).status, 415);
  const nonJson = await client.post('/validate', 'this is not json');
  assert.equal(nonJson.status, 400);
  assert.match(nonJson.body, /could not decode body/);
  const deep = await client.post('/inject', '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000));
  assert.equal(deep.status, 400);
  assert.match(deep.body, /nested deeper/);
  const huge = await client.post('/inject', Buffer.alloc(6 * 1024 * 1024 + 1, 32));
  assert.equal(huge.status, 413);
  assert.equal((await client.get('/ready')).status, 200, 'still serving');
});

/** The soak: 50 clients for 20 s (a duration, not a timed assertion). */
const LOAD_MS = 20_000;

test('50 concurrent clients for 20 s: every answer is a 200 AdmissionReview; metrics use Istio\'s names', async () => {
  const { input } = await golden('basic-pod');
  const deadline = Date.now() + LOAD_MS;
  const statuses = await Promise.all(Array.from({ length: 50 }, async (_, i) => {
    const out: number[] = [];
    for (let j = 0; j < 4 || Date.now() < deadline; j++) out.push((await client.post(j % 2 ? '/inject' : '/validate', admissionReview(`c${i}-${j}`, input, 'default'))).status);
    return out;
  }));
  assert.deepEqual([...new Set(statuses.flat())], [200]);
  assert.ok(statuses.flat().length >= 200);
  const metrics = await (await fetch(`http://127.0.0.1:${daemon.monitoringPort}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(metrics)?.[1] ?? NaN);
  assert.ok(value('sidecar_injection_requests_total') >= 103, metrics.slice(0, 200));
  assert.ok(value('sidecar_injection_success_total') >= 101);
  assert.ok(value('sidecar_injection_skip_total') >= 2);
  assert.match(metrics, /galley_validation_failed\{[^}]*reason="invalid_config"/);
  assert.match(metrics, /galley_validation_http_error\{status="415"\} 1/);
});

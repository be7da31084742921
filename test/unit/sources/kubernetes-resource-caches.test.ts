/**
 * Secrets and ConfigMaps through the real client library against the fake API server: they land
 * in read-only caches (never in the config model), decoded once; service-account tokens and Helm
 * releases are filtered by a field selector; discoverySelectors apply; listeners get the changed
 * keys; /debug/sourcez-style status shows counts; reports name bad fields, never secret data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeKubeApi, type FakeKubeApi, type KubeObject } from '../../helpers/fake-kube-api.js';
import { waitFor } from '../../helpers/wait-for.js';
import { connectKube } from '../../../src/sources/kubernetes/client-config.js';
import { createKubernetesSource, type KubernetesSource } from '../../../src/sources/kubernetes/kube-source.js';
import { secretText } from '../../../src/sources/kubernetes/secret-convert.js';
import { createValidator } from '../../../src/model/validation/validate.js';
import { kindInfo } from '../../../src/model/kinds.js';
import { silentLogger } from '../../../src/lib/logger.js';
import type { ConfigObject } from '../../../src/model/config.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const SECRET_PEM = '-----BEGIN PRIVATE KEY-----\nTOP-SECRET-KEY-MATERIAL\n-----END PRIVATE KEY-----\n';

function secret(name: string, namespace: string, type: string | undefined, data: Record<string, string>): KubeObject {
  return { metadata: { name, namespace }, ...(type ? { type } : {}), data };
}

async function setup(t: { after(fn: () => Promise<void> | void): void }): Promise<{ api: FakeKubeApi; source: KubernetesSource; upserts: ConfigObject[] }> {
  const api = await startFakeKubeApi({ namespaces: ['istio-system', 'shop', 'other'] });
  api.store.put('namespaces', { metadata: { name: 'shop', labels: { mesh: 'on' } } });
  const dir = mkdtempSync(join(tmpdir(), 'kube-caches-'));
  writeFileSync(join(dir, 'kubeconfig'), api.kubeconfig());
  api.store.put('secrets', secret('gw-cred', 'shop', 'kubernetes.io/tls', { 'tls.crt': b64('CERT'), 'tls.key': b64(SECRET_PEM) }));
  api.store.put('secrets', secret('gw-cred-cacert', 'shop', undefined, { cacert: b64('CA') }));
  api.store.put('secrets', secret('token', 'shop', 'kubernetes.io/service-account-token', { token: b64('jwt') }));
  api.store.put('secrets', secret('sh.helm.release.v1.x.v1', 'shop', 'helm.sh/release.v1', { release: b64('big') }));
  api.store.put('secrets', secret('hidden', 'other', 'Opaque', { k: b64('v') }));
  api.store.put('configmaps', { metadata: { name: 'istio-sidecar-injector', namespace: 'istio-system' }, data: { config: 'policy: enabled' }, binaryData: { blob: b64('\u0001\u0002') } });
  const upserts: ConfigObject[] = [];
  const source = createKubernetesSource({
    transport: connectKube({ mode: 'kubeconfig', file: join(dir, 'kubeconfig') }),
    validator: createValidator(),
    sink: { upsert: (o) => void upserts.push(o), remove: () => {} },
    logger: silentLogger,
    clusterID: 'test',
    kinds: [kindInfo('Namespace')],
    caches: true,
    discoverySelectors: [{ matchLabels: { mesh: 'on' } }],
    alwaysInScope: ['istio-system'],
    backoff: { initialMs: 5, maxMs: 50, factor: 2, jitter: 0.5 },
  });
  t.after(async () => {
    await source.close();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await source.start();
  return { api, source, upserts };
}

test('Secrets and ConfigMaps are cached decoded, filtered and scoped, and never reach the model', async (t) => {
  const { api, source, upserts } = await setup(t);
  assert.equal(source.synced, true);
  const tls = source.secrets.get('shop', 'gw-cred');
  assert.equal(tls?.type, 'kubernetes.io/tls');
  assert.equal(secretText(tls!, 'tls.key'), SECRET_PEM);
  assert.equal(source.secrets.get('shop', 'gw-cred-cacert')?.type, 'Opaque', 'no type means Opaque');
  assert.equal(source.secrets.get('shop', 'token'), undefined, 'service-account tokens are not cached');
  assert.equal(source.secrets.get('shop', 'sh.helm.release.v1.x.v1'), undefined, 'Helm releases are not cached');
  assert.equal(source.secrets.get('other', 'hidden'), undefined, 'out of the discovery scope');
  assert.equal(source.secrets.size, 2);
  const cm = source.configMaps.get('istio-system', 'istio-sidecar-injector');
  assert.equal(cm?.data.get('config'), 'policy: enabled');
  assert.deepEqual([...cm!.binaryData.get('blob')!], [1, 2]);
  assert.deepEqual(upserts.map((o) => o.kind).filter((k) => k !== 'Namespace'), [], 'nothing but Namespaces reached the model');
  const lists = api.requests.filter((r) => r.verb === 'list' && r.resource === 'secrets');
  assert.equal(lists.length, 1);
  assert.match(decodeURIComponent(lists[0]!.query ?? ''), /fieldSelector=type!=helm\.sh\/release\.v1,type!=kubernetes\.io\/service-account-token/);
  const status = source.status();
  assert.equal(status.Secret?.synced, true);
  assert.equal(status.Secret?.cached, 2);
  assert.equal(status.ConfigMap?.cached, 1);
});

test('changes, deletes and scope moves reach listeners as keys; bad base64 is reported without the data', async (t) => {
  const { api, source } = await setup(t);
  const seen: string[][] = [];
  source.secrets.onChange((keys) => void seen.push([...keys]));
  api.store.put('secrets', secret('gw-cred', 'shop', 'kubernetes.io/tls', { 'tls.crt': b64('CERT2'), 'tls.key': b64(SECRET_PEM) }));
  await waitFor('the rotated cert', () => secretText(source.secrets.get('shop', 'gw-cred')!, 'tls.crt') === 'CERT2');
  await waitFor('a change notification', () => seen.length >= 1);
  assert.deepEqual(seen[0], ['shop/gw-cred']);

  api.store.delete('secrets', 'shop', 'gw-cred-cacert');
  await waitFor('the delete', () => source.secrets.get('shop', 'gw-cred-cacert') === undefined);
  await waitFor('the delete notification', () => seen.some((k) => k.includes('shop/gw-cred-cacert')));

  api.store.put('namespaces', { metadata: { name: 'other', labels: { mesh: 'on' } } });
  await waitFor('other entering scope', () => source.secrets.get('other', 'hidden') !== undefined);
  await waitFor('the scope notification', () => seen.some((k) => k.includes('other/hidden')));
  api.store.put('namespaces', { metadata: { name: 'other' } });
  await waitFor('other leaving scope', () => source.secrets.get('other', 'hidden') === undefined);

  api.store.put('secrets', secret('broken', 'shop', 'Opaque', { good: b64('ok'), bad: 'not*base64!' + SECRET_PEM }));
  await waitFor('the broken secret', () => source.secrets.get('shop', 'broken') !== undefined);
  const broken = source.secrets.get('shop', 'broken')!;
  assert.equal(secretText(broken, 'good'), 'ok', 'the good keys are still served');
  assert.equal(broken.data.has('bad'), false);
  const report = source.reports().find((r) => r.object === 'Secret/shop/broken');
  assert.deepEqual(report?.errors, ['data.bad: not valid base64']);
  assert.doesNotMatch(JSON.stringify(source.reports()) + JSON.stringify(source.status()), /TOP-SECRET|CERT2/);
});

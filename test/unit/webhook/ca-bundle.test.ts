/** caBundle patch computation: only webhooks calling istiod in its namespace, guarded by name tests, empty when current. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { caBundlePatch } from '../../../src/serve/webhook/ca-bundle.js';

const ROOT = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
const B64 = Buffer.from(ROOT).toString('base64');
const istiod = { name: 'istiod', namespace: 'istio-system' };
const hook = (name: string, service: Record<string, unknown> | undefined, caBundle?: string) => ({ name, clientConfig: { ...(service ? { service } : { url: 'https://x' }), ...(caBundle !== undefined ? { caBundle } : {}) } });

test('patches istiod webhooks only, each guarded by a test of its name', () => {
  const config = {
    webhooks: [
      hook('a.sidecar-injector.istio.io', { name: 'istiod', namespace: 'istio-system', path: '/inject' }),
      hook('other.example.com', { name: 'other', namespace: 'istio-system' }),
      hook('wrong-ns', { name: 'istiod', namespace: 'default' }),
      hook('url-based', undefined),
      hook('b.sidecar-injector.istio.io', { name: 'istiod', namespace: 'istio-system' }, 'c3RhbGU='),
    ],
  };
  assert.deepEqual(caBundlePatch(config, ROOT, istiod), [
    { op: 'test', path: '/webhooks/0/name', value: 'a.sidecar-injector.istio.io' },
    { op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: B64 },
    { op: 'test', path: '/webhooks/4/name', value: 'b.sidecar-injector.istio.io' },
    { op: 'add', path: '/webhooks/4/clientConfig/caBundle', value: B64 },
  ]);
});

test('nothing to write when current; malformed configurations give no patch', () => {
  assert.deepEqual(caBundlePatch({ webhooks: [hook('a', { name: 'istiod', namespace: 'istio-system' }, B64)] }, ROOT, istiod), []);
  for (const bad of [null, 'x', {}, { webhooks: 'x' }, { webhooks: [null, 1, { clientConfig: 5 }] }]) assert.deepEqual(caBundlePatch(bad, ROOT, istiod), []);
});

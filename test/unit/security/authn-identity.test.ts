import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bearerToken, parseServiceAccountUsername, parseSpiffeId, spiffeId } from '../../../src/security/authn/index.js';

test('a service-account username must be exactly system:serviceaccount:<ns>:<sa>', () => {
  assert.deepEqual(parseServiceAccountUsername('system:serviceaccount:default:bookinfo-ratings'), { ok: true, value: { namespace: 'default', serviceAccount: 'bookinfo-ratings' } });
  for (const bad of ['system:serviceaccount:default', 'system:serviceaccount:default:sa:extra', 'system:serviceaccounts:default:sa', 'user:serviceaccount:default:sa', 'system:serviceaccount::sa', 'system:serviceaccount:default:', 'system:serviceaccount:Default:sa', 'alice', '']) {
    const result = parseServiceAccountUsername(bad);
    assert.equal(result.ok, false, bad);
  }
  assert.equal(parseServiceAccountUsername(42).ok, false);
});

test('SPIFFE IDs parse only in the configured trust domain and exact shape', () => {
  const id = { namespace: 'ns1', serviceAccount: 'sa1' };
  assert.equal(spiffeId('cluster.local', id), 'spiffe://cluster.local/ns/ns1/sa/sa1');
  assert.deepEqual(parseSpiffeId('spiffe://cluster.local/ns/ns1/sa/sa1', 'cluster.local'), { ok: true, value: id });
  for (const bad of ['spiffe://other.local/ns/ns1/sa/sa1', 'spiffe://cluster.local/ns/ns1/sa/sa1/x', 'spiffe://cluster.local/ns/ns1', 'spiffe://cluster.local/sa/ns1/ns/sa1', 'spiffe://cluster.local.evil/ns/a/sa/b', 'https://cluster.local/ns/a/sa/b']) {
    assert.equal(parseSpiffeId(bad, 'cluster.local').ok, false, bad);
  }
});

test('bearer tokens: absent, well-formed, malformed, repeated, oversized', () => {
  assert.equal(bearerToken([]), undefined);
  assert.deepEqual(bearerToken(['Bearer abc.def.ghi']), { ok: true, value: 'abc.def.ghi' });
  assert.equal(bearerToken(['Basic dXNlcjpwYXNz'])?.ok, false);
  assert.equal(bearerToken(['Bearer '])?.ok, false);
  assert.equal(bearerToken(['Bearer a', 'Bearer b'])?.ok, false);
  assert.equal(bearerToken([`Bearer ${'a'.repeat(70_000)}`])?.ok, false);
});

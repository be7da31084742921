import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDns1123Label, isDns1123Subdomain, isLabelValue, qualifiedKeyProblem } from '../../../src/lib/k8s-names.js';

test('DNS-1123 labels and subdomains', () => {
  for (const ok of ['a', 'istio-system', '0abc', 'a'.repeat(63)]) assert.ok(isDns1123Label(ok), ok);
  for (const bad of ['', '-a', 'a-', 'A', 'a.b', 'a_b', 'a'.repeat(64)]) assert.ok(!isDns1123Label(bad), bad);
  for (const ok of ['cluster.local', 'a.b-c.d', 'x']) assert.ok(isDns1123Subdomain(ok), ok);
  for (const bad of ['Cluster.local', 'a..b', '.a', 'a.', 'a'.repeat(254)]) assert.ok(!isDns1123Subdomain(bad), bad);
});

test('label keys and values', () => {
  for (const ok of ['app', 'app.kubernetes.io/name', 'topology.istio.io/subzone', 'A_b.c']) assert.equal(qualifiedKeyProblem(ok), undefined, ok);
  assert.match(qualifiedKeyProblem('Bad.Prefix/x')!, /prefix part/);
  assert.match(qualifiedKeyProblem('a b')!, /name part/);
  assert.match(qualifiedKeyProblem('prefix/')!, /name part/);
  for (const ok of ['', 'v1', 'a.b_c-d']) assert.ok(isLabelValue(ok), ok);
  for (const bad of ['-v', 'v-', 'a b', 'x'.repeat(64)]) assert.ok(!isLabelValue(bad), bad);
});

/** grpcSafePolicy: matchers gRPC cannot evaluate never weaken a DENY nor broaden an ALLOW. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grpcSafePolicy } from '../../../src/translate/grpc/rbac-safe.js';

const ANY = { any: true };
const metadata = { metadata: { filter: 'istio_authn', path: [{ key: 'request.auth.principal' }], value: { string_match: { exact: 'x' } } } };
const principal = { authenticated: { principal_name: { exact: 'spiffe://cluster.local/ns/a/sa/b' } } };

test('DENY: an unevaluable principal becomes any, under a NOT never (the rule matches more)', () => {
  const out = grpcSafePolicy({ permissions: [ANY], principals: [{ and_ids: { ids: [principal, metadata, { not_id: metadata }] } }] }, 'DENY');
  assert.deepEqual(out.policy.principals, [{ and_ids: { ids: [principal, ANY, { not_id: { not_id: ANY } }] } }]);
  assert.equal(out.unsupported.length, 1);
});

test('ALLOW: an unevaluable permission becomes never, under a NOT any (the rule matches less)', () => {
  const sni = { requested_server_name: { exact: 'a' } };
  const out = grpcSafePolicy({ permissions: [{ or_rules: { rules: [sni, { not_rule: sni }] } }], principals: [ANY] }, 'ALLOW');
  assert.deepEqual(out.policy.permissions, [{ or_rules: { rules: [{ not_rule: ANY }, { not_rule: ANY }] } }]);
  assert.deepEqual(out.unsupported, ['connection.sni']);
});

test('headers: host becomes :authority, hidden headers are unevaluable, evaluable ones are kept', () => {
  const header = (name: string) => ({ header: { name, string_match: { exact: 'v' } } });
  const out = grpcSafePolicy({ permissions: [header('host'), header('x-user'), header('grpc-timeout'), header('key-bin'), header(':scheme')], principals: [ANY] }, 'DENY');
  assert.deepEqual(out.policy.permissions, [header(':authority'), header('x-user'), ANY, ANY, ANY]);
  assert.equal(out.unsupported.length, 3);
});

test('a fully evaluable policy is unchanged', () => {
  const policy = { permissions: [{ and_rules: { rules: [{ url_path: { path: { prefix: '/a.B/' } } }, { destination_port: 80 }] } }], principals: [principal] };
  assert.deepEqual(grpcSafePolicy(policy, 'ALLOW'), { policy, unsupported: [] });
});

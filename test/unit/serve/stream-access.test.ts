import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { forbiddenType, PLAINTEXT_ACCESS, refusalStatus, type ConnectionAccess } from '../../../src/serve/stream-access.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';

const SECURE: ConnectionAccess = { secure: true, authorize: async () => ({ allowed: true, identity: 'x' }) };

test('the plaintext port never serves secrets or debug data; the secure port serves secrets', () => {
  assert.equal(forbiddenType(TypeUrl.Secret, PLAINTEXT_ACCESS)?.code, grpc.status.PERMISSION_DENIED);
  assert.equal(forbiddenType('istio.io/debug/syncz', PLAINTEXT_ACCESS)?.code, grpc.status.PERMISSION_DENIED);
  assert.equal(forbiddenType('istio.io/debug', PLAINTEXT_ACCESS)?.code, grpc.status.PERMISSION_DENIED);
  for (const t of [TypeUrl.Cluster, TypeUrl.Listener, TypeUrl.RouteConfiguration, TypeUrl.ClusterLoadAssignment]) assert.equal(forbiddenType(t, PLAINTEXT_ACCESS), undefined, t);
  assert.equal(forbiddenType(TypeUrl.Secret, SECURE), undefined);
  assert.equal(forbiddenType('istio.io/debug/syncz', SECURE)?.code, grpc.status.UNIMPLEMENTED, 'debug over xDS is not built yet');
});

test('refusals are opaque', () => {
  const denied = refusalStatus({ allowed: false, status: 'permission-denied', reason: 'spiffe://cluster.local/ns/a/sa/b is not c' });
  assert.equal(denied.code, grpc.status.PERMISSION_DENIED);
  assert.doesNotMatch(denied.message, /spiffe|ns\/a/);
  assert.equal(refusalStatus({ allowed: false, status: 'unauthenticated', reason: 'bad token abc' }).code, grpc.status.UNAUTHENTICATED);
});

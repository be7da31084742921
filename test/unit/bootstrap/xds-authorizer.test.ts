import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createXdsAuthorizer, identityMismatch } from '../../../src/bootstrap/xds-authorizer.js';
import { fail, ok } from '../../../src/lib/result.js';
import { parseProxy, type Proxy } from '../../../src/model/proxy.js';
import type { CallerAuthenticator } from '../../../src/security/authn/index.js';

function proxy(podNamespace: string, metadata: Record<string, string> = {}): Proxy {
  const parsed = parseProxy({ id: `sidecar~10.0.0.1~app.${podNamespace}~${podNamespace}.svc.cluster.local`, metadata });
  assert.ok(parsed.ok);
  return parsed.value;
}

const reviews = { namespace: 'bookinfo', serviceAccount: 'reviews' };

test('an identity may have the config of its own namespace and service account only', () => {
  assert.equal(identityMismatch(reviews, proxy('bookinfo')), undefined);
  assert.equal(identityMismatch(reviews, proxy('bookinfo', { SERVICE_ACCOUNT: 'reviews' })), undefined);
  assert.equal(identityMismatch(reviews, proxy('bookinfo', { SERVICE_ACCOUNT: '' })), undefined, 'an empty SERVICE_ACCOUNT claims nothing');
  assert.match(identityMismatch(reviews, proxy('default')) ?? '', /namespace "bookinfo" is not the proxy's namespace "default"/);
  assert.match(identityMismatch(reviews, proxy('bookinfo', { NAMESPACE: 'default' })) ?? '', /proxy's namespace "default"/, 'metadata NAMESPACE is the config namespace');
  assert.match(identityMismatch(reviews, proxy('bookinfo', { SERVICE_ACCOUNT: 'ratings' })) ?? '', /service account "reviews" is not the proxy's SERVICE_ACCOUNT "ratings"/);
});

test('the authorizer maps authentication failures and mismatches to their verdicts', async () => {
  const as = (result: ReturnType<typeof ok> | ReturnType<typeof fail>): CallerAuthenticator => ({ authenticate: async () => result as never });
  const creds = { authorization: [] };
  const allowed = await createXdsAuthorizer(as(ok({ identity: reviews, method: 'jwt' })), 'cluster.local')(creds, proxy('bookinfo'));
  assert.deepEqual(allowed, { allowed: true, identity: 'spiffe://cluster.local/ns/bookinfo/sa/reviews' });
  const denied = await createXdsAuthorizer(as(ok({ identity: reviews, method: 'client-certificate' })), 'cluster.local')(creds, proxy('default'));
  assert.equal(denied.allowed ? 'allowed' : denied.status, 'permission-denied');
  assert.match(denied.allowed ? '' : denied.reason, /^spiffe:\/\/cluster.local\/ns\/bookinfo\/sa\/reviews \(client-certificate\): /);
  const unauthenticated = await createXdsAuthorizer(as(fail('no credentials presented')), 'cluster.local')(creds, proxy('bookinfo'));
  assert.deepEqual(unauthenticated, { allowed: false, status: 'unauthenticated', reason: 'no credentials presented' });
});

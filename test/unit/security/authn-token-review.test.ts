import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createKubeClient, createTokenReviewAuthenticator, judgeTokenReview, type KubeClient } from '../../../src/security/authn/index.js';
import { loopbackServingCert, startFakeKubeApi, type FakeKubeApi } from '../../helpers/fake-kube-api.js';

const SA_GROUPS = ['system:serviceaccounts', 'system:serviceaccounts:bookinfo', 'system:authenticated'];
let api: FakeKubeApi;
let kube: KubeClient;

before(async () => {
  api = await startFakeKubeApi({
    tokens: {
      good: { username: 'system:serviceaccount:bookinfo:reviews', groups: SA_GROUPS, audiences: ['istio-ca'] },
      'api-audience': { username: 'system:serviceaccount:bookinfo:reviews', groups: SA_GROUPS },
      'not-sa': { username: 'alice', groups: ['system:authenticated'], audiences: ['istio-ca'] },
      'sa-name-no-group': { username: 'system:serviceaccount:bookinfo:reviews', groups: ['system:authenticated'], audiences: ['istio-ca'] },
      'odd-audiences': { username: 'system:serviceaccount:bookinfo:reviews', groups: SA_GROUPS, audiences: ['istio-ca'], reportAudiences: ['vault'] },
    },
  });
  kube = createKubeClient({ server: api.url, caPem: api.caPem, token: () => api.callerToken });
});
after(async () => {
  kube.close();
  await api.close();
});

const authenticate = (token: string, client = kube) => createTokenReviewAuthenticator({ kube: client }).authenticate({ authorization: [`Bearer ${token}`] });

test('a service-account token for istio-ca yields the identity; the review asks for the istio-ca audience', async () => {
  const result = await authenticate('good');
  assert.deepEqual(result, { ok: true, value: { identity: { namespace: 'bookinfo', serviceAccount: 'reviews' }, method: 'kubernetes-token' } });
  const sent = api.requests.at(-1)!;
  assert.equal(sent.path, '/apis/authentication.k8s.io/v1/tokenreviews');
  assert.deepEqual(sent.body, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 'good', audiences: ['istio-ca'] } });
});

test('rejected: unknown token, API-server audience only, non-service-account user, missing group, foreign audiences', async () => {
  for (const token of ['unknown', 'api-audience', 'not-sa', 'sa-name-no-group', 'odd-audiences']) {
    const result = await authenticate(token);
    assert.equal(result?.ok, false, token);
  }
});

test('no authorization header: not this authenticator\'s business', async () => {
  assert.equal(await createTokenReviewAuthenticator({ kube }).authenticate({ authorization: [] }), undefined);
});

test('a bad caller credential toward the API server (401) is a refusal, not a crash', async () => {
  const wrongCaller = createKubeClient({ server: api.url, caPem: api.caPem, token: () => 'not-istiod' });
  const result = await authenticate('good', wrongCaller);
  wrongCaller.close();
  assert.equal(result?.ok, false);
  assert.match(result!.ok ? '' : result!.errors[0]!, /HTTP 401/);
});

test('the API server certificate is verified: an unknown CA is refused', async () => {
  const other = loopbackServingCert();
  const untrusting = createKubeClient({ server: api.url, caPem: other.certPem, token: () => api.callerToken });
  const result = await authenticate('good', untrusting);
  untrusting.close();
  assert.equal(result?.ok, false);
});

test('the kube client enforces its response size limit and timeout', async () => {
  const { certPem, keyPem } = loopbackServingCert();
  const server = createServer({ cert: certPem, key: keyPem }, (req, res) => {
    if (req.url?.startsWith('/big')) res.end(JSON.stringify({ pad: 'x'.repeat(10_000) }));
    // /slow never answers
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = createKubeClient({ server: url, caPem: certPem, maxResponseBytes: 1000, timeoutMs: 200 });
  await assert.rejects(client.request('GET', '/big'), /exceeds 1000 bytes/);
  await assert.rejects(client.request('GET', '/slow'), /timed out/);
  client.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test('judgeTokenReview reads the real object shape defensively', () => {
  const status = { authenticated: true, user: { username: 'system:serviceaccount:a:b', groups: ['system:serviceaccounts'] } };
  assert.equal(judgeTokenReview(201, { status }, 'istio-ca').ok, true, 'no audiences returned: accepted');
  assert.equal(judgeTokenReview(201, { status: { ...status, audiences: ['istio-ca'] } }, 'istio-ca').ok, true);
  assert.equal(judgeTokenReview(201, { status: { ...status, audiences: ['other'] } }, 'istio-ca').ok, false);
  assert.equal(judgeTokenReview(201, { status: { ...status, authenticated: 'true' } }, 'istio-ca').ok, false);
  assert.equal(judgeTokenReview(500, { status }, 'istio-ca').ok, false);
  assert.equal(judgeTokenReview(201, null, 'istio-ca').ok, false);
  assert.equal(judgeTokenReview(201, { status: { ...status, user: { username: 'system:serviceaccount:a:b', groups: 'system:serviceaccounts' } } }, 'istio-ca').ok, false);
});

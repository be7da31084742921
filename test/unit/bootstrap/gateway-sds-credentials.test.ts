/**
 * Gateway credentials from Secrets: Istio's key sets (generic cert/key/cacert, kubernetes.io/tls
 * tls.crt/tls.key/ca.crt with tls.ocsp-staple and ca.crl), the `-cacert` fallback to the
 * credential's own secret, and the checks that make a secret unusable (missing keys, bad PEM,
 * a key that does not match) — each with a reason naming keys, never values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceCache } from '../../../src/sources/kubernetes/resource-cache.js';
import type { KubeObject } from '../../../src/sources/kubernetes/object-cache.js';
import type { KubeSecret } from '../../../src/sources/kubernetes/secret-convert.js';
import { createGatewayCredentials } from '../../../src/bootstrap/gateway-credentials.js';
import { authorizeSecretNames } from '../../../src/serve/sds-access.js';
import { makePems, secret } from '../../e2e/gateway-sds/fixtures.js';

const pems = makePems();

async function indexWith(...secrets: KubeSecret[]) {
  const cache = new ResourceCache<KubeSecret>();
  for (const s of secrets) cache.apply(s as unknown as KubeObject);
  await new Promise((r) => setImmediate(r));
  return createGatewayCredentials(cache);
}

const reason = (l: { ok: boolean; reason?: string }) => (l.ok ? 'ok' : l.reason!);

test('certificates: both key sets, staple and CRL; every way a secret is unusable has a reason', async () => {
  const creds = await indexWith(
    secret('ns', 'tls', { 'tls.crt': pems.serverCert, 'tls.key': pems.serverKey, 'tls.ocsp-staple': 'STAPLE', 'ca.crl': 'CRL', 'ca.crt': pems.caCert }, 'kubernetes.io/tls'),
    secret('ns', 'generic', { cert: pems.serverCert, key: pems.serverKey }),
    secret('ns', 'mismatch', { cert: pems.serverCert, key: pems.otherKey }),
    secret('ns', 'badpem', { 'tls.crt': '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n', 'tls.key': pems.serverKey }),
    secret('ns', 'badkey', { cert: pems.serverCert, key: 'nope' }),
    secret('ns', 'empty', { cert: '', key: '' }),
    secret('ns', 'other', { username: 'u', password: 'p' }),
  );
  const index = creds.index();
  const tlsCert = index.certificate('ns', 'tls');
  assert.ok(tlsCert.ok);
  assert.equal(Buffer.from(tlsCert.value.ocspStaple!).toString(), 'STAPLE');
  assert.equal(Buffer.from(tlsCert.value.crl!).toString(), 'CRL');
  assert.equal(reason(index.certificate('ns', 'generic')), 'ok');
  assert.match(reason(index.certificate('ns', 'mismatch')), /private key in "key" does not match the certificate in "cert"/);
  assert.match(reason(index.certificate('ns', 'badpem')), /"tls.crt": certificate 1 is not a valid X.509/);
  assert.match(reason(index.certificate('ns', 'badkey')), /"key" is not a valid PEM private key/);
  assert.match(reason(index.certificate('ns', 'empty')), /keys "cert" and "key" are empty/);
  assert.match(reason(index.certificate('ns', 'other')), /expected keys \(cert and key\) or \(tls.crt and tls.key\); found: password, username/);
  assert.match(reason(index.certificate('ns', 'absent')), /Secret ns\/absent not found/);
});

test('CA: a separate <name>-cacert secret wins, else the credential\'s own ca.crt/cacert', async () => {
  const creds = await indexWith(
    secret('ns', 'own', { 'tls.crt': pems.serverCert, 'tls.key': pems.serverKey, 'ca.crt': pems.caCert }, 'kubernetes.io/tls'),
    secret('ns', 'split', { cert: pems.serverCert, key: pems.serverKey, cacert: 'not a certificate' }),
    secret('ns', 'split-cacert', { cacert: pems.caCert, crl: 'CRL' }),
    secret('ns', 'noca', { cert: pems.serverCert, key: pems.serverKey }),
  );
  const index = creds.index();
  const own = index.caCertificate('ns', 'own');
  assert.ok(own.ok && Buffer.from(own.value.trustedCa).toString() === pems.caCert);
  const split = index.caCertificate('ns', 'split');
  assert.ok(split.ok && Buffer.from(split.value.crl!).toString() === 'CRL', 'split-cacert is used, not the bad cacert of split');
  assert.match(reason(index.caCertificate('ns', 'noca')), /no CA certificate: expected key cacert or ca.crt/);
  assert.match(reason(index.caCertificate('ns', 'gone')), /Secret ns\/gone-cacert not found/);
});

test('the index moves with the Secret cache and tells listeners which keys changed', async () => {
  const cache = new ResourceCache<KubeSecret>();
  const creds = createGatewayCredentials(cache);
  const seen: string[][] = [];
  creds.onChange((keys) => seen.push([...keys]));
  const v0 = creds.index().version;
  cache.apply(secret('ns', 'a', { cert: pems.serverCert, key: pems.serverKey }) as unknown as KubeObject);
  await new Promise((r) => setImmediate(r));
  assert.ok(creds.index().version > v0);
  assert.equal(reason(creds.index().certificate('ns', 'a')), 'ok');
  assert.deepEqual(seen, [['ns/a']]);
});

test('SDS access: same namespace and SubjectAccessReview, CA secrets public, never cross-namespace', () => {
  const allowed = { namespace: 'gw', serviceAccount: 'sa', canReadSecrets: true };
  const denied = { ...allowed, canReadSecrets: false, reason: 'SAR said no' };
  const names = ['kubernetes://a', 'kubernetes://a-cacert', 'kubernetes://gw/b', 'kubernetes://other/c', 'kubernetes-gateway://other/d', 'file-cert:x~y'];
  assert.deepEqual(authorizeSecretNames(names, allowed).allowed, ['kubernetes://a', 'kubernetes://a-cacert', 'kubernetes://gw/b', 'kubernetes-gateway://other/d']);
  const refused = authorizeSecretNames(names, denied);
  assert.deepEqual(refused.allowed, ['kubernetes://a-cacert', 'kubernetes-gateway://other/d']);
  assert.equal(refused.denied.find((d) => d.name === 'kubernetes://a')?.reason, 'SAR said no');
  assert.match(refused.denied.find((d) => d.name === 'kubernetes://other/c')!.reason, /never served/);
  assert.deepEqual(authorizeSecretNames(names, undefined).allowed, [], 'no verified identity, no secrets');
});

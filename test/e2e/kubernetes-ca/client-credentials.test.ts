/**
 * The CA's API client is built from the same client config as the sources: in-cluster (CA file,
 * token file re-read on every request so a rotated projected token is used) and a kubeconfig
 * carrying a client certificate instead of a token.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKubeClient } from '../../../src/security/authn/index.js';
import { loadKubeConfig } from '../../../src/sources/kubernetes/client-config.js';
import { kubeCredentials } from '../../../src/sources/kubernetes/client-credentials.js';
import { loopbackServingCert, startFakeKubeApi } from '../../helpers/fake-kube-api.js';

test('in-cluster credentials: the CA file is used and a rotated token file is picked up', async (t) => {
  const api = await startFakeKubeApi({ callerToken: 'token-v1' });
  const dir = await mkdtemp(join(tmpdir(), 'kube-creds-'));
  t.after(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });
  await writeFile(join(dir, 'ca.crt'), api.caPem);
  await writeFile(join(dir, 'token'), 'token-v1\n');
  const credentials = kubeCredentials(loadKubeConfig({ mode: 'in-cluster', server: api.url, serviceAccountDir: dir }));
  assert.equal(credentials.server, api.url);
  assert.equal(credentials.caPem, api.caPem);
  const kube = createKubeClient(credentials);
  t.after(() => kube.close());
  assert.equal((await kube.request('GET', '/api/v1/namespaces/default')).status, 200);

  // The kubelet rotates the projected token: the old one stops working, the file has the new one.
  await writeFile(join(dir, 'token'), 'token-v2\n');
  api.acceptCallerToken('token-v2');
  api.revokeCallerToken('token-v1');
  assert.equal(credentials.token?.(), 'token-v2');
  assert.equal((await kube.request('GET', '/api/v1/namespaces/default')).status, 200);
});

test('kubeconfig credentials: client certificate data is decoded, a missing CA file is a clear error', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kube-creds-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const client = loopbackServingCert();
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const kubeconfig = (cluster: string) => [
    'apiVersion: v1',
    'kind: Config',
    `clusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:6443\n    ${cluster}`,
    `users:\n- name: u\n  user:\n    client-certificate-data: ${b64(client.certPem)}\n    client-key-data: ${b64(client.keyPem)}`,
    'contexts:\n- name: x\n  context:\n    cluster: c\n    user: u',
    'current-context: x',
    '',
  ].join('\n');
  await writeFile(join(dir, 'good'), kubeconfig(`certificate-authority-data: ${b64(client.certPem)}`));
  const good = kubeCredentials(loadKubeConfig({ mode: 'kubeconfig', file: join(dir, 'good') }));
  assert.equal(good.clientCertPem, client.certPem);
  assert.equal(good.clientKeyPem, client.keyPem);
  assert.equal(good.caPem, client.certPem);
  assert.equal(good.token, undefined);

  await writeFile(join(dir, 'bad'), kubeconfig(`certificate-authority: ${join(dir, 'missing-ca.crt')}`));
  assert.throws(() => kubeCredentials(loadKubeConfig({ mode: 'kubeconfig', file: join(dir, 'bad') })), /certificate-authority file .*missing-ca\.crt/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseKubeClient } from '../../../src/sources/kubernetes/client-choice.js';
import { loadKubeConfig } from '../../../src/sources/kubernetes/client-config.js';

test('--kubeconfig wins over in-cluster config', () => {
  assert.deepEqual(chooseKubeClient({ kubeconfig: '/k.yaml', kubernetesServiceHost: '10.0.0.1', kubernetesServicePort: '443' }), { mode: 'kubeconfig', file: '/k.yaml' });
});

test('in a pod without --kubeconfig or --configDir the service account is used', () => {
  assert.deepEqual(chooseKubeClient({ kubernetesServiceHost: '10.0.0.1', kubernetesServicePort: '6443' }, '/sa'), { mode: 'in-cluster', server: 'https://10.0.0.1:6443', serviceAccountDir: '/sa' });
  assert.equal((chooseKubeClient({ kubernetesServiceHost: 'fd00::1', kubernetesServicePort: '443' }) as { server: string }).server, 'https://[fd00::1]:443');
  assert.equal((chooseKubeClient({ kubernetesServiceHost: 'api', kubernetesServicePort: '8080' }) as { server: string }).server, 'http://api:8080');
});

test('no Kubernetes without --kubeconfig outside a pod, or with only --configDir', () => {
  assert.deepEqual(chooseKubeClient({}), { mode: 'none' });
  assert.deepEqual(chooseKubeClient({ configDir: '/cfg', kubernetesServiceHost: '10.0.0.1' }), { mode: 'none' });
});

test('a kubeconfig file gives the server, CA and token; a bad file throws naming the problem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
  try {
    const file = join(dir, 'config');
    const ca = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
    writeFileSync(file, [
      'apiVersion: v1', 'kind: Config', 'current-context: test',
      'clusters:', '- name: c', '  cluster:', '    server: https://127.0.0.1:1234', `    certificate-authority-data: ${ca}`,
      'users:', '- name: u', '  user:', '    token: secret-token',
      'contexts:', '- name: test', '  context:', '    cluster: c', '    user: u',
    ].join('\n'));
    const kc = loadKubeConfig({ mode: 'kubeconfig', file });
    assert.equal(kc.getCurrentCluster()?.server, 'https://127.0.0.1:1234');
    assert.equal(kc.getCurrentUser()?.token, 'secret-token');
    assert.throws(() => loadKubeConfig({ mode: 'kubeconfig', file: join(dir, 'missing') }), /ENOENT|no such file/);
    writeFileSync(file, 'apiVersion: v1\nkind: Config\ncurrent-context: nowhere\n');
    assert.throws(() => loadKubeConfig({ mode: 'kubeconfig', file }), /no current cluster|nowhere/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('in-cluster config reads the token and CA from the service account directory', () => {
  const kc = loadKubeConfig({ mode: 'in-cluster', server: 'https://10.0.0.1:443', serviceAccountDir: '/sa' });
  assert.equal(kc.getCurrentCluster()?.server, 'https://10.0.0.1:443');
  assert.equal(kc.getCurrentCluster()?.caFile, '/sa/ca.crt');
  assert.equal(kc.getCurrentUser()?.authProvider?.config?.tokenFile, '/sa/token');
});

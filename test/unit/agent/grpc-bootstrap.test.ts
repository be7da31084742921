import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateBootstrapConfig } from '@grpc/grpc-js-xds/build/src/xds-bootstrap.js';
import { buildGrpcBootstrap, durationJson, proxylessNodeId } from '../../../src/agent/grpc-bootstrap.js';
import { certFilePaths } from '../../../src/agent/cert-files.js';

const inputs = {
  discoveryAddress: 'istiod.istio-system.svc:15010',
  certFiles: certFilePaths('/var/lib/istio/data'),
  certRefreshIntervalMs: 15 * 60_000,
  workload: { ip: '10.0.0.7', podName: 'ratings-1', namespace: 'bookinfo', serviceAccount: 'ratings', clusterId: 'Kubernetes', extraMetadata: { GENERATOR: 'envoy', WORKLOAD_NAME: 'ratings' } },
};

test('the bootstrap is accepted by grpc-js-xds\'s own bootstrap parser, with Istio\'s names', () => {
  const parsed = validateBootstrapConfig(buildGrpcBootstrap(inputs));
  assert.equal(parsed.xdsServers[0]!.server_uri, 'istiod.istio-system.svc:15010');
  assert.deepEqual(parsed.xdsServers[0]!.channel_creds, [{ type: 'insecure', config: undefined }]);
  assert.equal(parsed.node.id, 'sidecar~10.0.0.7~ratings-1.bookinfo~bookinfo.svc.cluster.local');
  assert.deepEqual(parsed.certificateProviders.default, {
    pluginName: 'file_watcher',
    config: { certificateFile: '/var/lib/istio/data/cert-chain.pem', privateKeyFile: '/var/lib/istio/data/key.pem', caCertificateFile: '/var/lib/istio/data/root-cert.pem', refreshIntervalMs: 900_000 },
  });
  assert.equal(parsed.serverListenerResourceNameTemplate, 'xds.istio.io/grpc/lds/inbound/%s');
});

test('node metadata: the identity keys win over ISTIO_META_* extras', () => {
  const node = buildGrpcBootstrap(inputs).node as { metadata: Record<string, unknown>; locality: object };
  assert.deepEqual(node.metadata, { GENERATOR: 'grpc', WORKLOAD_NAME: 'ratings', NAMESPACE: 'bookinfo', INSTANCE_IPS: '10.0.0.7', CLUSTER_ID: 'Kubernetes', SERVICE_ACCOUNT: 'ratings' });
  assert.deepEqual(node.locality, {});
});

test('node id domain and proto3 JSON durations', () => {
  assert.equal(proxylessNodeId({ ip: '::1', podName: 'p', namespace: 'n', domain: 'n.svc.example.org' }), 'sidecar~::1~p.n~n.svc.example.org');
  assert.deepEqual([900_000, 250, 1, 1500].map(durationJson), ['900s', '0.25s', '0.001s', '1.5s']);
});

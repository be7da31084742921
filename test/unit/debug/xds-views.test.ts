import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Reply } from '../../../src/debug/http-server.js';
import { xdsViews } from '../../../src/debug/xds-views.js';
import type { AdsServer, ConnectionStatus } from '../../../src/serve/types.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';

const connection: ConnectionStatus = {
  conId: 'c1', proxyId: 'echo-1.default', nodeId: 'sidecar~127.0.0.2~echo-1.default~default.svc.cluster.local', peer: '127.0.0.1:5555',
  connectedAt: '2026-11-21T00:00:00.000Z', protocol: 'sotw', generator: 'grpc', istioVersion: '1.24.0',
  types: [
    { typeUrl: TypeUrl.Cluster, subscribed: ['outbound|7070||echo.default.svc.cluster.local'], sentVersion: 'v2', sentNonce: 'n2', ackedVersion: 'v2', resourceNames: ['outbound|7070||echo.default.svc.cluster.local'] },
    { typeUrl: TypeUrl.Listener, sentVersion: 'v3', sentNonce: 'n3', ackedVersion: 'v1', nackedVersion: 'v3', nackMessage: 'bad listener', resourceNames: ['a', 'b'] },
  ],
};

function fakeAds(): AdsServer {
  return {
    listen: async () => 0,
    onSnapshot() {},
    connections: () => [connection],
    sentResources: (id) => (id === 'echo-1.default' ? new Map([[TypeUrl.Listener, [{ name: 'b', body: { '@type': TypeUrl.Listener, name: 'b' } }, { name: 'a', body: { '@type': TypeUrl.Listener, name: 'a' } }]]]) : undefined),
    close: async () => {},
  };
}

test('syncz reports per proxy and type what was sent, ACKed and NACKed', () => {
  const views = xdsViews(fakeAds());
  const [status] = views['/debug/syncz']!(new URLSearchParams()) as Record<string, any>[];
  assert.equal(status!.proxy, 'echo-1.default');
  assert.equal(status!.status, 'NACKED');
  assert.deepEqual(status!.types.cds, { subscribed: ['outbound|7070||echo.default.svc.cluster.local'], sent: 'v2', sentNonce: 'n2', sentAt: null, acked: 'v2', nacked: null, nackMessage: null, resources: 1 });
  assert.equal(status!.types.lds.subscribed, '*');
  assert.equal(status!.types.lds.nackMessage, 'bad listener');
  assert.equal(status!.types.lds.acked, 'v1');
});

test('config_dump needs a connected proxyID and lists its resources sorted by name', () => {
  const views = xdsViews(fakeAds());
  const missing = views['/debug/config_dump']!(new URLSearchParams()) as Reply;
  assert.ok(missing instanceof Reply);
  assert.equal(missing.status, 400);
  const unknown = views['/debug/config_dump']!(new URLSearchParams('proxyID=nope.default')) as Reply;
  assert.equal(unknown.status, 404);
  assert.deepEqual((unknown.body as { connected: string[] }).connected, ['echo-1.default']);
  const dump = views['/debug/config_dump']!(new URLSearchParams('proxyID=echo-1.default')) as { configs: { type: string; resources: { name: string }[] }[] };
  assert.equal(dump.configs[0]!.type, 'lds');
  assert.deepEqual(dump.configs[0]!.resources.map((r) => r.name), ['a', 'b']);
});

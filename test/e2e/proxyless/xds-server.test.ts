/**
 * xDS-enabled gRPC servers (gRFC A36): grpc-js-xds XdsServer backends ask istiod-ts for their
 * server listener and only serve once it arrives; an xDS client then reaches both of them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { echoClient, tally } from '../../helpers/grpc-echo.js';
import { waitFor } from '../../helpers/wait-for.js';
import { ISTIO_SERVER_LISTENER_TEMPLATE } from '../../helpers/xds-bootstrap.js';
import { startMesh, xdsTarget } from './mesh.js';

test('XdsServer backends get their server listeners from istiod-ts and serve calls an xDS client routes to them', async (t) => {
  // startMesh resolves only once every XdsServer has its listener and is serving.
  const mesh = await startMesh({
    workloads: [
      { pod: 'echo-xds-a', ip: '127.0.0.5', app: 'echo-xds', xdsServer: true },
      { pod: 'echo-xds-b', ip: '127.0.0.6', app: 'echo-xds', xdsServer: true },
    ],
    services: { 'echo-xds': 'echo-xds' },
    routing: {},
  });
  t.after(() => mesh.close());

  for (const [pod, ip] of [['echo-xds-a', '127.0.0.5'], ['echo-xds-b', '127.0.0.6']] as const) {
    const listener = ISTIO_SERVER_LISTENER_TEMPLATE.replace('%s', `${ip}:${mesh.portOf(pod)}`);
    const dump = await mesh.daemon.get(`/debug/config_dump?proxyID=${pod}.default`);
    assert.equal(dump.status, 200, `config_dump for ${pod}: ${dump.body.slice(0, 300)}`);
    assert.ok(dump.body.includes(listener), `${pod} was sent its server listener ${listener}`);
  }

  const client = echoClient(xdsTarget('echo-xds'), mesh.bootstrap({ pod: 'client-of-xds-servers' }));
  t.after(() => client.close());
  // Round robin spreads calls over the backends that are READY: the first calls may all go to
  // the first server whose connection came up.
  await waitFor('both XdsServers to answer', async () => Object.keys(tally(await client.callMany(10))).length === 2, 5000);
  const counts = tally(await client.callMany(40));
  assert.deepEqual(counts, { 'echo-xds-a': 20, 'echo-xds-b': 20 }, 'round robin over both XdsServers, nothing fails');
});

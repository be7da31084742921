/**
 * The routing test again through a second, independent xDS client: gRPC C-core (Debian's
 * python3-grpcio) with GRPC_XDS_BOOTSTRAP, against the same kind of mesh and daemon.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeXdsBootstrap } from '../../helpers/xds-bootstrap.js';
import { cCoreAvailable, runCCoreClient } from './c-core.js';
import { startMesh, xdsTarget } from './mesh.js';
import { ABORT_STATUS, routingMesh } from './routing-objects.js';

test('gRPC C-core routes by the weighted split, header match, fault abort and retries istiod-ts serves', async (t) => {
  const why = cCoreAvailable();
  if (why !== true) return t.skip(why);
  const mesh = await startMesh(routingMesh());
  t.after(() => mesh.close());
  const dir = await mkdtemp(join(tmpdir(), 'istiod-ts-c-core-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const bootstrap = writeXdsBootstrap(dir, { grpcPort: mesh.daemon.grpcPort, ip: '127.0.0.1', pod: 'client-c-core' });

  const result = await runCCoreClient(xdsTarget('echo'), [
    { name: 'split', count: 1000 },
    { name: 'header', count: 50, headers: { 'x-route': 'v2' } },
    { name: 'abort', count: 10, headers: { 'x-fault': 'abort' } },
  ], { GRPC_XDS_BOOTSTRAP: bootstrap });

  const split = result.split ?? {};
  assert.equal((split['echo-v1'] ?? 0) + (split['echo-v2'] ?? 0), 1000, `every call answered by v1 or v2: ${JSON.stringify(split)}`);
  const v1Share = (split['echo-v1'] ?? 0) / 1000;
  assert.ok(Math.abs(v1Share - 0.8) <= 0.05, `v1 got ${(v1Share * 100).toFixed(1)}% (want 80±5): ${JSON.stringify(split)}`);
  assert.deepEqual(result.header, { 'echo-v2': 50 }, 'the header match routes to the v2 subset');
  assert.deepEqual(result.abort, { [`!${ABORT_STATUS}`]: 10 }, 'the fault abort fails calls with the configured status');

  // The flaky backend fails every other call it gets (the warm-up call included).
  const flaky = await runCCoreClient(xdsTarget('echo-flaky'), [
    { name: 'off', count: 10, headers: { 'x-retry': 'off' } },
    { name: 'on', count: 10 },
  ], { GRPC_XDS_BOOTSTRAP: bootstrap });
  assert.ok((flaky.off?.['!UNAVAILABLE'] ?? 0) >= 3, `without retries the flaky backend's failures show: ${JSON.stringify(flaky.off)}`);
  assert.deepEqual(flaky.on, { 'echo-flaky': 10 }, 'with retries every call succeeds');
});

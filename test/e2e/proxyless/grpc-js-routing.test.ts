/**
 * Real @grpc/grpc-js-xds clients route real calls to echo backends on 127.0.0.x with the config
 * istiod-ts compiles from a --configDir: weighted split, header routing to a subset, fault abort,
 * retries, ring hash, and a live edit of the config dir.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { echoClient, tally, type EchoClient } from '../../helpers/grpc-echo.js';
import { waitFor } from '../../helpers/wait-for.js';
import { adsConnectionIds, startMesh, xdsTarget, type MeshHandle } from './mesh.js';
import { ABORT_STATUS, echoVirtualService, routingMesh, routeToV2 } from './routing-objects.js';

describe('grpc-js-xds clients routed by istiod-ts', () => {
  let mesh: MeshHandle;
  let echo: EchoClient;
  const clients: EchoClient[] = [];
  const clientFor = (service: string, pod: string) => {
    const c = echoClient(xdsTarget(service), mesh.bootstrap({ pod }));
    clients.push(c);
    return c;
  };

  before(async () => {
    mesh = await startMesh(routingMesh());
    echo = clientFor('echo', 'client-echo');
  });
  after(async () => {
    for (const c of clients) c.close();
    await mesh?.close();
  });

  test('an 80/20 weighted split over 1,000 calls lands within ±5 points', async () => {
    const counts = tally(await echo.callMany(1000));
    assert.equal((counts['echo-v1'] ?? 0) + (counts['echo-v2'] ?? 0), 1000, `every call answered by v1 or v2: ${JSON.stringify(counts)}`);
    const v1Share = (counts['echo-v1'] ?? 0) / 1000;
    assert.ok(Math.abs(v1Share - 0.8) <= 0.05, `v1 got ${(v1Share * 100).toFixed(1)}% (want 80±5): ${JSON.stringify(counts)}`);
  });

  test('a header match routes to the v2 subset', async () => {
    assert.deepEqual(tally(await echo.callMany(100, { 'x-route': 'v2' })), { 'echo-v2': 100 });
    const other = tally(await echo.callMany(20, { 'x-route': 'v1-please' }));
    assert.ok('echo-v1' in other, `other header values take the split: ${JSON.stringify(other)}`);
  });

  test('a fault abort fails calls with the configured gRPC status, before any backend sees them', async () => {
    const before = mesh.backends.byName('echo-v1').received;
    assert.deepEqual(tally(await echo.callMany(20, { 'x-fault': 'abort' })), { [`!${ABORT_STATUS}`]: 20 });
    assert.equal(mesh.backends.byName('echo-v1').received, before, 'aborted calls never reach the backend');
  });

  test("retries turn a flaky backend's UNAVAILABLE into successes", async () => {
    const flaky = clientFor('echo-flaky', 'client-flaky');
    const backend = mesh.backends.byName('echo-flaky');
    const sequential = async (n: number, headers?: Record<string, string>) => {
      const out = [];
      for (let i = 0; i < n; i++) out.push(await flaky.call(headers));
      return tally(out);
    };
    const withoutRetries = await sequential(20, { 'x-retry': 'off' });
    assert.ok((withoutRetries['!UNAVAILABLE'] ?? 0) >= 5, `the backend is flaky when the route has retries off: ${JSON.stringify(withoutRetries)}`);
    const receivedBefore = backend.received;
    assert.deepEqual(await sequential(20), { 'echo-flaky': 20 }, 'with retries every call succeeds');
    assert.ok(backend.received - receivedBefore >= 30, `retries happened (backend saw ${backend.received - receivedBefore} attempts for 20 calls)`);
  });

  test('ring hash keeps each x-user header value on one backend', async () => {
    const hashed = clientFor('echo-hash', 'client-hash');
    const users = Array.from({ length: 16 }, (_, i) => `user-${i}`);
    const landed = new Map<string, Record<string, number>>();
    for (const user of users) {
      await hashed.call({ 'x-user': user });
      landed.set(user, tally(await hashed.callMany(8, { 'x-user': user }, 4)));
    }
    for (const [user, counts] of landed) assert.equal(Object.keys(counts).length, 1, `${user} stayed on one backend: ${JSON.stringify(counts)}`);
    const used = new Set([...landed.values()].map((c) => Object.keys(c)[0]));
    assert.deepEqual([...used].filter((b) => !b?.startsWith('echo-v')), [], 'only echo pods answer');
    assert.equal(used.size, 2, `16 users spread over both backends: ${JSON.stringify(Object.fromEntries(landed))}`);
  });

  test('editing a file in --configDir reroutes the live channel within 2 s, on the same ADS stream', async () => {
    const channel = echo.client.getChannel();
    assert.equal(channel.getConnectivityState(false), grpc.connectivityState.READY);
    const connectionsBefore = await adsConnectionIds(mesh.daemon, 'client-echo');
    assert.equal(connectionsBefore.length, 1, `one ADS connection for client-echo: ${connectionsBefore}`);

    // The budget runs from the write; the polls are calls on the live channel.
    const seen: Record<string, number> = {};
    await mesh.writeRouting('echo-vs.yaml', [echoVirtualService({ name: 'all-v2', route: routeToV2.route })]);
    await waitFor('every call to land on v2 after the edit', async () => {
      const counts = tally(await echo.callMany(20));
      for (const [k, n] of Object.entries(counts)) seen[k] = (seen[k] ?? 0) + n;
      return counts['echo-v2'] === 20;
    }, 2000, 0);

    assert.deepEqual(Object.keys(seen).filter((k) => k.startsWith('!')), [], `no call failed while the routes changed: ${JSON.stringify(seen)}`);
    assert.deepEqual(await adsConnectionIds(mesh.daemon, 'client-echo'), connectionsBefore, 'the same ADS connection carried the change');
    // (grpc-js re-applies the whole LB tree on every xDS update, so the channel may pass through
    // CONNECTING for a few ms while keeping its subchannels; it must end READY.)
    assert.equal(channel.getConnectivityState(false), grpc.connectivityState.READY);
  });
});

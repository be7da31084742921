/**
 * NACK, end to end: the real grpc-js-xds client rejects a resource istiod-ts sends: a Cluster
 * whose ring hash minimum_ring_size (from a DestinationRule's consistentHash.ringHash) exceeds
 * the 8,388,608 that gRPC (and Envoy's proto rules) allow; Istio's validation lets it through.
 * The daemon records the NACK in /debug/syncz and pilot_total_xds_rejects, does not re-send
 * until the config changes, and the same ADS stream keeps delivering other resources.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { echoClient, tally, type EchoClient } from '../../helpers/grpc-echo.js';
import { waitFor } from '../../helpers/wait-for.js';
import { dest, destinationRule, fqdn, headerMatch, metricSum, startMesh, syncOf, virtualService, xdsTarget, type MeshHandle, type TypeSync } from './mesh.js';

const ECHO = fqdn('echo');
const CLIENT_POD = 'client-nack';
const OTHER = fqdn('other');
// The v1 header route keeps the v1 cluster in use after the edit: grpc-js-xds (1.14) leaves a
// dropped cluster's balancer behind after the channel closes, with a 10 s timer that holds the
// test process open.
const echoVs = (subset: string) => virtualService('echo', ECHO, [{ match: [headerMatch('x-v1', 'yes')], route: [dest(ECHO, 'v1')] }, { route: [dest(ECHO, subset)] }]);
const hugeRing = destinationRule('other', OTHER, {
  trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: 'x-user', ringHash: { minimumRingSize: 10_000_000 } } } },
});

describe('a resource the grpc-js-xds client rejects', () => {
  let mesh: MeshHandle;
  let echo: EchoClient;
  let other: EchoClient;
  const cds = async (): Promise<TypeSync> => {
    const [sync] = await syncOf(mesh.daemon, CLIENT_POD);
    assert.ok(sync, `${CLIENT_POD} is in /debug/syncz`);
    const t = sync.types.cds;
    assert.ok(t, `syncz has a cds entry for ${CLIENT_POD}: ${JSON.stringify(sync.types)}`);
    return t;
  };

  before(async () => {
    mesh = await startMesh({
      workloads: [
        { pod: 'echo-v1', ip: '127.0.0.2', app: 'echo', version: 'v1' },
        { pod: 'echo-v2', ip: '127.0.0.3', app: 'echo', version: 'v2' },
        { pod: 'other-1', ip: '127.0.0.7', app: 'other' },
      ],
      services: { echo: 'echo', other: 'other' },
      routing: {
        'echo-dr.yaml': [destinationRule('echo', ECHO, { subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] })],
        'echo-vs.yaml': [echoVs('v1')],
      },
    });
    // One xDS client (grpc-js-xds's process-wide one) for both channels: one ADS stream.
    process.env.GRPC_XDS_BOOTSTRAP_CONFIG = JSON.stringify(mesh.bootstrap({ pod: CLIENT_POD }));
    echo = echoClient(xdsTarget('echo'));
    other = echoClient(xdsTarget('other'));
  });
  after(async () => {
    echo?.close();
    other?.close();
    await mesh?.close();
  });

  test('is recorded, not re-sent, and the stream keeps delivering everything else', async () => {
    assert.deepEqual(tally(await echo.callMany(10)), { 'echo-v1': 10 });
    assert.deepEqual(tally(await other.callMany(10)), { 'other-1': 10 });
    const rejectsBefore = await metricSum(mesh.daemon, 'pilot_total_xds_rejects');

    await mesh.writeRouting('other-dr.yaml', [hugeRing]);
    const nacked = (await waitFor('a CDS NACK in /debug/syncz', async () => {
      const t = await cds();
      return t.nacked !== null && t.nacked === t.sent ? t : undefined;
    }, 10_000))!;
    assert.match(nacked.nackMessage ?? '', /minimum_ring_size is too large/, `the NACK's error_detail is shown: ${nacked.nackMessage}`);
    assert.notEqual(nacked.acked, nacked.nacked, 'the last ACKed version is kept apart from the rejected one');
    const [sync] = await syncOf(mesh.daemon, CLIENT_POD);
    assert.equal(sync!.status, 'NACKED');
    await waitFor('pilot_total_xds_rejects to count it', async () => (await metricSum(mesh.daemon, 'pilot_total_xds_rejects', 'type="cds"')) >= 1);
    assert.ok((await metricSum(mesh.daemon, 'pilot_total_xds_rejects')) > rejectsBefore);

    // Nothing is re-sent while the config stays as it is (well past the debounce).
    await sleep(1500);
    const quiet = await cds();
    assert.equal(quiet.sentNonce, nacked.sentNonce, 'the rejected CDS response was not sent again');
    assert.deepEqual(tally(await other.callMany(10)), { 'other-1': 10 }, 'the client keeps its last good cluster');

    // The same stream still delivers other changes: a routing edit reroutes the echo channel.
    const [before] = await syncOf(mesh.daemon, CLIENT_POD);
    await mesh.writeRouting('echo-vs.yaml', [echoVs('v2')]);
    await waitFor('echo calls to move to v2', async () => tally(await echo.callMany(10))['echo-v2'] === 10, 5000);
    const [afterEdit] = await syncOf(mesh.daemon, CLIENT_POD);
    assert.equal(afterEdit!.conId, before!.conId, 'on the same ADS connection');
    assert.equal(afterEdit!.types.rds?.acked, afterEdit!.types.rds?.sent, 'the new routes were ACKed');

    // Fixing the config ends the NACK.
    await mesh.writeRouting('other-dr.yaml', []);
    await waitFor('CDS ACKed again', async () => {
      const t = await cds();
      return t.acked !== null && t.acked === t.sent;
    }, 10_000);
    const [fixed] = await syncOf(mesh.daemon, CLIENT_POD);
    assert.equal(fixed!.status, 'SYNCED');
  });
});

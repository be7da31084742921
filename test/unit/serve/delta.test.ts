import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CDS, cluster, EDS, endpoints, LDS, listener, startServer, type TestServer, type World } from './harness.js';

let t: TestServer;
let world: World;
before(async () => {
  t = await startServer();
  world = { [CDS]: { c1: cluster('c1'), c2: cluster('c2'), c3: cluster('c3') }, [EDS]: { c1: endpoints('c1'), c2: endpoints('c2') }, [LDS]: { l1: listener('l1') } };
  t.publish(world);
});
after(async () => {
  await t.close();
});

function publish(next: World, endpointsChanged?: readonly string[]): void {
  world = next;
  t.publish(next, endpointsChanged);
}

const names = (r: { resources: readonly { name: string }[] }) => r.resources.map((x) => x.name).sort();

test('delta: named subscribe, subscribe more, unsubscribe, and a name that does not exist', async () => {
  const c = t.client('d-named', { protocol: 'delta' });
  c.subscribe(EDS, ['c1']);
  const first = await c.next(EDS);
  assert.deepEqual(names(first), ['c1']);
  assert.ok(first.resources[0]!.version.length > 0);
  c.subscribe(EDS, ['c2', 'nope']);
  const second = await c.next(EDS);
  assert.deepEqual(names(second), ['c2'], 'only the newly subscribed resource is sent');
  assert.deepEqual(second.removed, ['nope'], 'a subscribed name that does not exist is reported removed');
  c.unsubscribe(EDS, ['c1']);
  const third = await c.next(EDS);
  assert.deepEqual(third.resources, []);
  const status = t.server.connections().find((s) => s.proxyId === 'd-named.default')?.types.find((x) => x.typeUrl === EDS);
  assert.deepEqual(status?.subscribed, ['c2', 'nope']);
  assert.deepEqual(status?.resourceNames, ['c2']);
  // A change to the unsubscribed c1 is not sent; a change to c2 is, alone.
  const mark = c.responses.length;
  publish({ ...world, [EDS]: { c1: endpoints('c1', ['10.3.3.3']), c2: endpoints('c2', ['10.4.4.4']) } });
  const pushed = await c.next(EDS);
  assert.deepEqual(names(pushed), ['c2']);
  assert.equal(c.responses.length, mark + 1);
});

test('delta: wildcard (legacy and explicit), changed-only pushes, removal via removed_resources', async () => {
  const legacy = t.client('d-wild', { protocol: 'delta' });
  const explicit = t.client('d-star', { protocol: 'delta' });
  legacy.subscribe(CDS);
  explicit.subscribe(CDS, ['*']);
  for (const c of [legacy, explicit]) assert.deepEqual(names(await c.next(CDS)), ['c1', 'c2', 'c3']);
  publish({ ...world, [CDS]: { c1: cluster('c1', 3), c2: cluster('c2') } });
  for (const c of [legacy, explicit]) {
    const r = await c.next(CDS);
    assert.deepEqual(names(r), ['c1'], 'only the changed cluster');
    assert.deepEqual(r.removed, ['c3']);
    assert.deepEqual([...c.resources(CDS).keys()].sort(), ['c1', 'c2']);
  }
  // Unsubscribing from the explicit wildcard drops everything it brought.
  explicit.unsubscribe(CDS, ['*']);
  const r = await explicit.next(CDS);
  assert.deepEqual(r.resources, []);
  const status = t.server.connections().find((s) => s.proxyId === 'd-star.default')?.types.find((x) => x.typeUrl === CDS);
  assert.deepEqual(status?.resourceNames, []);
});

test('delta: reconnect with initial_resource_versions re-sends nothing the client already has', async () => {
  const c = t.client('d-reconnect', { protocol: 'delta' });
  c.subscribe(CDS);
  c.subscribe(EDS, ['c1', 'c2']);
  await c.next(CDS);
  await c.next(EDS);
  const heldCds = new Map(c.resources(CDS));
  await c.close();
  // Same content: the new stream's answers carry no resources at all.
  const same = c.reconnect();
  const cds = await same.next(CDS);
  const eds = await same.next(EDS);
  assert.deepEqual([cds.resources, cds.removed, eds.resources, eds.removed], [[], [], [], []]);
  await same.close();
  // While disconnected c1 changed, c2 was deleted and c3 added: c1 and c3 are sent, c2 removed.
  assert.deepEqual([...heldCds.keys()].sort(), ['c1', 'c2']);
  publish({ ...world, [CDS]: { c1: cluster('c1', 4), c3: cluster('c3') } });
  const changed = same.reconnect();
  const after = await changed.next(CDS);
  assert.deepEqual(names(after), ['c1', 'c3']);
  assert.notEqual(after.resources[0]!.version, heldCds.get('c1')?.version);
  assert.deepEqual(after.removed, ['c2']);
  await changed.close();
});

test('delta: NACK is recorded and the resource is not re-sent until it changes; endpoints-only pushes', async () => {
  const c = t.client('d-nack', { protocol: 'delta', autoAck: false });
  c.subscribe(EDS, ['c1', 'c2']);
  c.subscribe(LDS);
  await c.next(EDS);
  c.ack(EDS);
  await c.next(LDS);
  c.ack(LDS);
  const status = () => t.server.connections().find((s) => s.proxyId === 'd-nack.default')?.types.find((x) => x.typeUrl === EDS);
  publish({ ...world, [EDS]: { ...world[EDS], c1: endpoints('c1', ['10.5.5.5']) } }, ['c1']);
  const bad = await c.next(EDS);
  assert.deepEqual(names(bad), ['c1']);
  c.nack(EDS, 'endpoint 10.5.5.5 rejected');
  await c.waitFor('the NACK to be recorded', () => status()?.nackMessage === 'endpoint 10.5.5.5 rejected');
  assert.equal(status()?.nackedVersion, bad.versionInfo);
  const mark = c.responses.length;
  publish({ ...world, [LDS]: { l1: listener('l1', 99) } });
  await c.next(LDS);
  c.ack(LDS);
  assert.deepEqual(c.responses.slice(mark).map((r) => r.typeUrl), [LDS], 'the NACKed EDS resource is not re-sent');
  publish({ ...world, [EDS]: { ...world[EDS], c1: endpoints('c1', ['10.6.6.6']) } }, ['c1']);
  const fixed = await c.next(EDS);
  assert.deepEqual(names(fixed), ['c1']);
  c.ack(EDS);
  await c.waitFor('the ACK', () => status()?.ackedVersion === fixed.versionInfo && status()?.nackMessage === undefined);
});

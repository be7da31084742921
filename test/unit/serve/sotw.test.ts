import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CDS, cluster, EDS, endpoints, LDS, listener, RDS, route, startServer, type TestServer, type World } from './harness.js';

let t: TestServer;
before(async () => {
  t = await startServer();
});
after(async () => {
  await t.close();
});

const base: World = {
  [CDS]: { c1: cluster('c1'), c2: cluster('c2') },
  [EDS]: { c1: endpoints('c1'), c2: endpoints('c2') },
  [LDS]: { l1: listener('l1') },
  [RDS]: { r1: route('r1') },
};

test('requests are held until the first snapshot, then answered', async () => {
  const c = t.client('held');
  c.subscribe(CDS);
  await c.waitFor('the connection to be registered', () => t.server.connections().some((s) => s.proxyId === 'held.default'));
  assert.equal(c.responses.length, 0);
  t.publish(base);
  const r = await c.next(CDS);
  assert.deepEqual(r.resources.map((x) => x.name).sort(), ['c1', 'c2']);
  assert.notEqual(r.versionInfo, '');
  assert.notEqual(r.nonce, '');
});

test('wildcard vs named subscriptions; named non-wildcard types', async () => {
  const wild = t.client('wild');
  const named = t.client('named');
  const explicit = t.client('explicit');
  wild.subscribe(CDS);
  named.subscribe(CDS, ['c1']);
  explicit.subscribe(CDS, ['*', 'c1']);
  assert.deepEqual((await wild.next(CDS)).resources.map((x) => x.name).sort(), ['c1', 'c2']);
  assert.deepEqual((await named.next(CDS)).resources.map((x) => x.name), ['c1']);
  assert.deepEqual((await explicit.next(CDS)).resources.map((x) => x.name).sort(), ['c1', 'c2']);
  named.subscribe(EDS, ['c2', 'missing']);
  assert.deepEqual((await named.next(EDS)).resources.map((x) => x.name), ['c2']);
  const status = t.server.connections().find((s) => s.proxyId === 'named.default');
  assert.deepEqual(status?.types.find((x) => x.typeUrl === CDS)?.subscribed, ['c1']);
  assert.equal(t.server.connections().find((s) => s.proxyId === 'wild.default')?.types.find((x) => x.typeUrl === CDS)?.subscribed, undefined);
});

test('SotW removal by omission, responses in CDS → EDS → LDS → RDS order, unchanged types not re-sent', async () => {
  const c = t.client('order');
  c.subscribe(RDS, ['r1']);
  c.subscribe(LDS);
  c.subscribe(EDS, ['c1', 'c2']);
  c.subscribe(CDS);
  for (const type of [RDS, LDS, EDS, CDS]) await c.next(type);
  const before = c.responses.length;
  t.publish({
    [CDS]: { c1: cluster('c1', 2) },
    [EDS]: { c1: endpoints('c1', ['10.0.0.9']), c2: endpoints('c2') },
    [LDS]: { l1: listener('l1', 81) },
    [RDS]: { r1: route('r1', 'changed') },
  });
  for (const type of [CDS, EDS, LDS, RDS]) await c.next(type);
  assert.deepEqual(c.responses.slice(before).map((r) => r.typeUrl), [CDS, EDS, LDS, RDS]);
  assert.deepEqual([...c.resources(CDS).keys()], ['c1']);
  assert.deepEqual((c.responses[before]!.resources[0]!.body.connect_timeout as { seconds: string }).seconds, '2');
  // A change that leaves CDS/EDS/RDS as they are only re-sends LDS.
  const mark = c.responses.length;
  t.publish({
    [CDS]: { c1: cluster('c1', 2) },
    [EDS]: { c1: endpoints('c1', ['10.0.0.9']), c2: endpoints('c2') },
    [LDS]: { l1: listener('l1', 82) },
    [RDS]: { r1: route('r1', 'changed') },
  });
  await c.next(LDS);
  assert.deepEqual(c.responses.slice(mark).map((r) => r.typeUrl), [LDS]);
});

test('ACK and NACK bookkeeping; a NACKed version is not re-sent until the content changes', async () => {
  const c = t.client('nack', { autoAck: false });
  c.subscribe(CDS);
  c.subscribe(LDS);
  const first = await c.next(CDS);
  await c.next(LDS);
  c.ack(CDS);
  c.ack(LDS);
  const statusOf = () => t.server.connections().find((s) => s.proxyId === 'nack.default')?.types.find((x) => x.typeUrl === CDS);
  await c.waitFor('the ACK to be recorded', () => statusOf()?.ackedVersion === first.versionInfo);
  const world: World = { ...base, [CDS]: { c1: cluster('c1', 5), c2: cluster('c2') }, [LDS]: { l1: listener('l1', 90) } };
  t.publish(world);
  const rejected = await c.next(CDS);
  await c.next(LDS);
  c.ack(LDS);
  const rejectsBefore = t.metrics.rejects.length;
  c.nack(CDS, 'cluster c1: bad timeout');
  await c.waitFor('the NACK to be recorded', () => statusOf()?.nackMessage === 'cluster c1: bad timeout');
  assert.equal(statusOf()?.nackedVersion, rejected.versionInfo);
  assert.equal(statusOf()?.ackedVersion, first.versionInfo);
  assert.deepEqual(t.metrics.rejects.slice(rejectsBefore), ['cds']);
  // Another change that keeps CDS as it is: only LDS comes; the rejected CDS is not re-sent.
  const mark = c.responses.length;
  t.publish({ ...world, [LDS]: { l1: listener('l1', 91) } });
  await c.next(LDS);
  c.ack(LDS);
  assert.deepEqual(c.responses.slice(mark).map((r) => r.typeUrl), [LDS]);
  // Once CDS content changes it is sent again.
  t.publish({ ...world, [CDS]: { c1: cluster('c1', 6), c2: cluster('c2') }, [LDS]: { l1: listener('l1', 91) } });
  const fixed = await c.next(CDS);
  assert.notEqual(fixed.versionInfo, rejected.versionInfo);
  c.ack(CDS);
  await c.waitFor('the new ACK to clear the NACK', () => statusOf()?.ackedVersion === fixed.versionInfo && statusOf()?.nackMessage === undefined);
});

test('a request with a stale nonce is ignored entirely, subscription change included', async () => {
  const c = t.client('stale', { autoAck: false });
  c.subscribe(EDS, ['c1']);
  const r = await c.next(EDS);
  c.send({ type_url: EDS, resource_names: ['c1', 'c2'], response_nonce: 'not-a-nonce', version_info: r.versionInfo });
  // A later, valid request on another type is answered; the stale one before it was not.
  c.subscribe(CDS);
  await c.next(CDS);
  assert.deepEqual(c.responses.map((x) => x.typeUrl), [EDS, CDS]);
  const eds = t.server.connections().find((s) => s.proxyId === 'stale.default')?.types.find((x) => x.typeUrl === EDS);
  assert.deepEqual(eds?.subscribed, ['c1']);
  assert.equal(eds?.ackedVersion, undefined);
  // The same change with the current nonce is applied and answered.
  c.send({ type_url: EDS, resource_names: ['c1', 'c2'], response_nonce: r.nonce, version_info: r.versionInfo });
  const again = await c.next(EDS);
  assert.deepEqual(again.resources.map((x) => x.name).sort(), ['c1', 'c2']);
});

test('an endpoints-only change pushes only EDS, to proxies holding an affected name, generated once for all', async () => {
  t.publish(base);
  const a = t.client('eds-a');
  const b = t.client('eds-b');
  for (const c of [a, b]) {
    c.subscribe(CDS);
    c.subscribe(EDS, ['c1', 'c2']);
    c.subscribe(LDS);
    for (const type of [CDS, EDS, LDS]) await c.next(type);
  }
  const marks = [a.responses.length, b.responses.length];
  const version = t.publish({ ...base, [CDS]: { c1: cluster('c1', 7), c2: cluster('c2') }, [EDS]: { c1: endpoints('c1', ['10.9.9.9']), c2: endpoints('c2') } }, ['c1']);
  for (const c of [a, b]) {
    const r = await c.next(EDS);
    assert.deepEqual(r.resources.map((x) => x.name).sort(), ['c1', 'c2']);
    assert.equal(c.resources(EDS).get('c1')?.body.endpoints !== undefined, true);
  }
  // SotW resends the whole subscribed EDS set; it is resolved once and shared by both proxies.
  assert.deepEqual(t.generator.callsFor(version).map((x) => [x.typeUrl, x.names]), [[EDS, ['c1', 'c2']]]);
  // The CDS change in that snapshot was not pushed (the ChangeSet said endpoints only);
  // a later full push brings it, and nothing else arrived in between.
  t.publish({ ...base, [CDS]: { c1: cluster('c1', 7), c2: cluster('c2') }, [EDS]: { c1: endpoints('c1', ['10.9.9.9']), c2: endpoints('c2') } });
  for (const c of [a, b]) await c.next(CDS);
  assert.deepEqual(a.responses.slice(marks[0]).map((r) => r.typeUrl), [EDS, CDS]);
  assert.deepEqual(b.responses.slice(marks[1]).map((r) => r.typeUrl), [EDS, CDS]);
});

test('each resource is generated once per snapshot for many proxies in one scope', async () => {
  const clients = Array.from({ length: 12 }, (_, i) => t.client(`many-${i}`));
  for (const c of clients) {
    c.subscribe(CDS);
    c.subscribe(EDS, ['c1', 'c2']);
  }
  for (const c of clients) {
    await c.next(CDS);
    await c.next(EDS);
  }
  const version = t.publish({ ...base, [CDS]: { c1: cluster('c1', 9), c2: cluster('c2', 9) }, [EDS]: { c1: endpoints('c1', ['10.2.2.2']), c2: endpoints('c2', ['10.2.2.3']) } });
  for (const c of clients) {
    await c.next(CDS);
    await c.next(EDS);
  }
  // Clients of earlier tests share the scope too: each name is still generated exactly once.
  const calls = t.generator.callsFor(version);
  assert.equal(calls.filter((x) => x.typeUrl === CDS && x.names === undefined).length, 1);
  for (const name of ['c1', 'c2']) assert.equal(calls.filter((x) => x.typeUrl === EDS && x.names?.includes(name)).length, 1, name);
  assert.ok(t.metrics.convergences > 0);
  const sent = t.server.sentResources('many-3.default');
  assert.deepEqual(sent?.get(CDS)?.map((r) => r.name).sort(), ['c1', 'c2']);
  await Promise.all(clients.map((c) => c.close()));
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { messageType } from '../../../src/serve/proto/envoy-root.js';
import { XdsClient } from '../../helpers/xds-client.js';
import { CDS, cluster, EDS, endpoints, nodeFor, startServer, type TestServer } from './harness.js';

let t: TestServer;
before(async () => {
  t = await startServer({ generatorFor: (proxy, fake) => (proxy.metadata.generator === 'none' ? undefined : fake) });
  t.publish({ [CDS]: { c1: cluster('c1') }, [EDS]: { c1: endpoints('c1') } });
});
after(async () => {
  await t.close();
});

/** A request of exactly `size` bytes: a DiscoveryRequest whose one resource name pads it out. */
function requestOfSize(size: number): Buffer {
  const type = messageType('envoy.service.discovery.v3.DiscoveryRequest');
  const encode = (pad: number) => Buffer.from(type.encode(type.fromObject({ type_url: CDS, resource_names: ['x'.repeat(pad)] })).finish());
  let pad = size - 64;
  for (let i = 0; i < 5; i++) pad += size - encode(pad).length;
  const bytes = encode(pad);
  assert.equal(bytes.length, size);
  return bytes;
}

interface BadCase {
  readonly name: string;
  readonly code: grpc.status;
  readonly detail: RegExp;
  start(c: (node: Record<string, unknown>) => XdsClient): void;
}

const good = nodeFor('bad-case');
const cases: BadCase[] = [
  { name: 'missing node id', code: grpc.status.INVALID_ARGUMENT, detail: /node\.id: missing/, start: (c) => c({ metadata: {} }).subscribe(CDS) },
  { name: 'node id with 3 parts', code: grpc.status.INVALID_ARGUMENT, detail: /3 parts/, start: (c) => c({ id: 'sidecar~10.0.0.1~a.ns' }).subscribe(CDS) },
  { name: 'node id with 5 parts', code: grpc.status.INVALID_ARGUMENT, detail: /5 parts/, start: (c) => c({ id: 'sidecar~10.0.0.1~a.ns~ns.svc.cluster.local~x' }).subscribe(CDS) },
  { name: 'INSTANCE_IPS a number', code: grpc.status.INVALID_ARGUMENT, detail: /INSTANCE_IPS/, start: (c) => c({ ...good, metadata: { INSTANCE_IPS: 1 } }).subscribe(CDS) },
  { name: 'huge node id', code: grpc.status.INVALID_ARGUMENT, detail: /node\.id/, start: (c) => c({ id: `sidecar~10.0.0.1~${'a'.repeat(200_000)}.ns~ns.svc.cluster.local` }).subscribe(CDS) },
  { name: 'huge metadata string', code: grpc.status.INVALID_ARGUMENT, detail: /NAMESPACE/, start: (c) => c({ ...good, metadata: { NAMESPACE: 'n'.repeat(1_000_000) } }).subscribe(CDS) },
  { name: 'no generator for the proxy', code: grpc.status.UNIMPLEMENTED, detail: /no generator/, start: (c) => c({ ...good, metadata: { GENERATOR: 'none' } }).subscribe(CDS) },
  { name: 'unknown type URL', code: grpc.status.UNIMPLEMENTED, detail: /not served/, start: (c) => c(good).subscribe('type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig') },
  { name: 'malformed type URL', code: grpc.status.INVALID_ARGUMENT, detail: /type_url/, start: (c) => c(good).subscribe('not a url') },
  { name: '100k resource names', code: grpc.status.RESOURCE_EXHAUSTED, detail: /at most 20000/, start: (c) => c(good).subscribe(EDS, Array.from({ length: 100_000 }, (_, i) => `n${i}`)) },
  { name: 'a 4 MiB + 1 message', code: grpc.status.RESOURCE_EXHAUSTED, detail: /larger than/, start: (c) => c(good).send(requestOfSize(4 * 1024 * 1024 + 1)) },
  { name: 'bytes that are not a DiscoveryRequest', code: grpc.status.INVALID_ARGUMENT, detail: /malformed request/, start: (c) => c(good).send(Buffer.from([0x22])) },
  { name: 'delta: 100k names', code: grpc.status.RESOURCE_EXHAUSTED, detail: /at most 20000/, start: (c) => c(good).send({ type_url: EDS, resource_names_subscribe: Array.from({ length: 100_000 }, (_, i) => `n${i}`) }) },
];

test('bad streams are each closed with a clear status while good clients keep converging', async () => {
  const goodClients = Array.from({ length: 100 }, (_, i) => t.client(`good-${i}`, { protocol: i % 2 === 0 ? 'sotw' : 'delta' }));
  for (const c of goodClients) c.subscribe(CDS);
  for (const c of goodClients) await c.next(CDS);
  const bad = cases.map((k) => {
    let client: XdsClient | undefined;
    k.start((node) => (client = t.client(`x-${k.name}`, { node, protocol: k.name.startsWith('delta') ? 'delta' : 'sotw' })));
    return { k, client: client! };
  });
  // Config keeps changing while the bad streams are refused.
  for (let i = 2; i <= 4; i++) t.publish({ [CDS]: { c1: cluster('c1', i) }, [EDS]: { c1: endpoints('c1') } });
  for (const { k, client } of bad) {
    const status = await client.ended;
    assert.equal(grpc.status[status.code], grpc.status[k.code], `${k.name}: ${status.details}`);
    assert.match(status.details, k.detail, k.name);
  }
  for (const c of goodClients) {
    await c.waitFor('the latest cluster', () => (c.resources(CDS).get('c1')?.body.connect_timeout as { seconds?: string } | undefined)?.seconds === '4');
    assert.equal(c.finalStatus, undefined);
  }
});

test('a client that stops reading is cut off without delaying the others', async () => {
  const s = await startServer({ limits: { sendBufferBytes: 512 * 1024, sendTimeoutMs: 0 } });
  try {
    const big = (i: number) => ({ [CDS]: { c1: { ...cluster('c1'), alt_stat_name: `${i}`.padEnd(100_000, 'x') } } });
    s.publish(big(0));
    const slow = s.client('slow');
    const fast = s.client('fast');
    for (const c of [slow, fast]) {
      c.subscribe(CDS);
      await c.next(CDS);
    }
    slow.pause();
    for (let i = 1; i <= 40 && !s.metrics.disconnects.includes('send_buffer_full'); i++) {
      s.publish(big(i));
      const r = await fast.next(CDS);
      assert.ok(String(r.resources[0]?.body.alt_stat_name).startsWith(`${i}x`));
    }
    assert.deepEqual(s.metrics.disconnects, ['send_buffer_full']);
    await fast.waitFor('the slow connection to be gone', () => !s.server.connections().some((x) => x.proxyId === 'slow.default'));
    s.publish(big(100));
    const last = await fast.next(CDS);
    assert.ok(String(last.resources[0]?.body.alt_stat_name).startsWith('100x'));
  } finally {
    await s.close();
  }
});

test('new streams over the rate limit are refused with RESOURCE_EXHAUSTED', async () => {
  const s = await startServer({ limits: { newStreamsPerSecond: 0, newStreamsBurst: 2 } });
  try {
    s.publish({ [CDS]: { c1: cluster('c1') } });
    const admitted = [s.client('r1'), s.client('r2')];
    for (const c of admitted) {
      c.subscribe(CDS);
      await c.next(CDS);
    }
    const refused = s.client('r3');
    refused.subscribe(CDS);
    const status = await refused.ended;
    assert.equal(status.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.match(status.details, /too many new xDS streams/);
    assert.ok(s.metrics.disconnects.includes('rate_limited'));
  } finally {
    await s.close();
  }
});

test('--keepaliveMaxServerConnectionAge: a connection past its age is told to go, and the client can come back', async () => {
  const s = await startServer({ limits: { maxConnectionAgeMs: 300 } });
  try {
    s.publish({ [CDS]: { c1: cluster('c1') } });
    const aged = s.client('aged');
    aged.subscribe(CDS);
    await aged.next(CDS);
    // GOAWAY after 300 ms, then the server's 10 s grace for in-flight streams at the latest.
    const status = await aged.ended;
    assert.notEqual(status.code, grpc.status.OK, `the stream ended: ${status.details}`);
    const again = s.client('aged-again');
    again.subscribe(CDS);
    const r = await again.next(CDS);
    assert.deepEqual(r.resources.map((x) => x.name), ['c1'], 'a new connection is served as usual');
  } finally {
    await s.close();
  }
});

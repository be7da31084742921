/**
 * The one-pass JSON → protobuf encoder against protobufjs's own fromObject + encode: the same
 * message comes back from both (decoded with the real types), for every golden output of both
 * generators and for hand-made edge cases; and it refuses what fromObject would silently drop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { decodeResource, encodeResourceBody, encodeResourceBodyReference } from '../../../src/serve/proto/encode.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';

type Body = Record<string, unknown>;

function sameMessage(body: Body): void {
  const url = String(body['@type']);
  const fast = decodeResource(url, encodeResourceBody(body).bytes);
  const reference = decodeResource(url, encodeResourceBodyReference(body));
  assert.deepEqual(fast, reference, `${url} ${String(body.name)}`);
}

function goldenBodies(dir: string): Body[] {
  const out: Body[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...goldenBodies(path));
    else if (/(listeners|routes|clusters|endpoints)\.yaml$/.test(entry)) {
      for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
        const value = doc.toJS() as unknown;
        for (const item of Array.isArray(value) ? value : []) if (item && typeof item['@type'] === 'string') out.push(item as Body);
      }
    }
  }
  return out;
}

test('every golden resource encodes to the same message as protobufjs gives', () => {
  const bodies = [...goldenBodies('test/golden/translate-sidecar/testdata'), ...goldenBodies('test/golden/translate-grpc/testdata')];
  assert.ok(bodies.length > 300, `expected the golden corpus, found ${bodies.length} resources`);
  for (const body of bodies) sameMessage(body);
});

test('long and non-ASCII strings, big nested messages, int64 forms, maps, Struct and packed lists', () => {
  const longRegex = `^/(${'a'.repeat(300)})$`;
  sameMessage({
    '@type': TypeUrl.RouteConfiguration,
    name: 'ünïcødé-✓',
    virtual_hosts: Array.from({ length: 60 }, (_, i) => ({
      name: `vh-${i}`,
      domains: [`h${i}.example`, 'ß.example'],
      routes: [{
        match: { safe_regex: { regex: longRegex } },
        route: { cluster: `c${i}`, timeout: { seconds: '315576000000', nanos: 5 }, retry_policy: { retriable_status_codes: [503, 504, 0] } },
        metadata: { filter_metadata: { istio: { config: '/x', nested: { list: [1, 'two', true, null, { deep: [] }], n: -1.5 } } } },
      }],
      typed_per_filter_config: { 'envoy.filters.http.fault': { '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault', abort: { http_status: 503, percentage: { numerator: 7, denominator: 'TEN_THOUSAND' } } } },
    })),
  });
  sameMessage({
    '@type': TypeUrl.Cluster,
    name: 'c',
    type: 'STRICT_DNS',
    connect_timeout: { seconds: 10, nanos: 0 },
    per_connection_buffer_limit_bytes: { value: 32768 },
    common_lb_config: { healthy_panic_threshold: { value: 0 } },
    load_assignment: { cluster_name: 'c', endpoints: [{ priority: 2, lb_endpoints: [{ endpoint: { address: { socket_address: { address: '1.2.3.4', port_value: 80 } } }, load_balancing_weight: { value: 4294967295 } }] }] },
    outlier_detection: { consecutive_5xx: { value: 0 }, interval: { seconds: -1, nanos: -5 } },
  });
});

test('unknown fields, unknown enum names and wrong kinds fail with the field path', () => {
  const route = (extra: Body) => ({ '@type': TypeUrl.RouteConfiguration, name: 'r', virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match: { prefix: '/' }, ...extra }] }] });
  assert.throws(() => encodeResourceBody(route({ rout: {} })), /virtual_hosts\[0\]\.routes\[0\]: unknown field rout of Route/);
  assert.throws(() => encodeResourceBody(route({ route: { cluster: 'c', cluster_not_found_response_code: 'TEAPOT' } })), /routes\[0\]\.route\.cluster_not_found_response_code: not a value of enum/);
  assert.throws(() => encodeResourceBody(route({ route: { cluster: 7 } })), /route\.cluster: expected a string/);
  assert.throws(() => encodeResourceBody(route({ route: { cluster: 'c', timeout: { seconds: 'soon' } } })), /route\.timeout\.seconds: expected an integer/);
  assert.throws(() => encodeResourceBody({ '@type': TypeUrl.Listener, name: 'l', filter_chains: [{ filters: [{ name: 'f', typed_config: { '@type': 'type.googleapis.com/no.such.Type' } }] }] }), /filter_chains\[0\]\.filters\[0\]\.typed_config: unknown type/);
  assert.throws(() => encodeResourceBody({ '@type': TypeUrl.Listener, name: 'l', filter_chains: {} }), /filter_chains: expected a list/);
});

test('after a failure the next resource encodes cleanly (the shared buffer is reset)', () => {
  assert.throws(() => encodeResourceBody({ '@type': TypeUrl.Cluster, name: 'bad', lb_policy: 'NOPE' }));
  sameMessage({ '@type': TypeUrl.Cluster, name: 'good', lb_policy: 'LEAST_REQUEST' });
});

test('frozen (shared) parts are encoded once and copied: same message, and distinct objects never conflated', () => {
  const freeze = <T>(v: T): T => {
    if (v && typeof v === 'object') {
      Object.values(v).forEach(freeze);
      Object.freeze(v);
    }
    return v;
  };
  const retry = freeze({ retry_on: 'connect-failure', num_retries: { value: 2 }, retriable_status_codes: [503] });
  const other = freeze({ retry_on: 'reset', num_retries: { value: 5 } });
  const meta = freeze({ filter_metadata: { istio: { config: `/apis/x/${'long'.repeat(40)}` } } });
  const route = (i: number, policy: object) => ({ match: { prefix: `/${i}` }, metadata: meta, route: { cluster: `c${i}`, retry_policy: policy } });
  const body = (routes: object[]) => ({ '@type': TypeUrl.RouteConfiguration, name: 'r', virtual_hosts: [{ name: 'v', domains: ['*'], routes }] });
  sameMessage(body([route(1, retry), route(2, other), route(3, retry), route(4, other)]));
  // A second resource reusing the cached bytes, nested at a different depth.
  sameMessage(body([route(5, retry)]));
  const decoded = decodeResource(TypeUrl.RouteConfiguration, encodeResourceBody(body([route(6, other), route(7, retry)])).bytes) as any;
  assert.deepEqual(decoded.virtual_hosts[0].routes.map((r: any) => r.route.retry_policy.retry_on), ['reset', 'connect-failure']);
});

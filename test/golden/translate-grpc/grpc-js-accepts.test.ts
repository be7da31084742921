/**
 * Every resource in the translate-grpc golden outputs is accepted by @grpc/grpc-js-xds's own
 * resource validators (the checks its xDS client runs before it ACKs), after a round trip
 * through Envoy's real message types. Uses the package's internal modules: pinned version.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { encodeResourceBody } from '../../../src/serve/proto/encode.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const testdata = join(root, 'test/golden/translate-grpc/testdata');
const require = createRequire(join(root, 'package.json'));
const base = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'build/src');

interface Decoder { decode(context: unknown, resource: { type_url: string; value: Buffer }): { name: string; error?: string } }
const load = (file: string, exported: string): Decoder => (require(join(base, 'xds-resource-type', file)) as Record<string, { get(): Decoder }>)[exported]!.get();

test('grpc-js-xds accepts every golden resource', () => {
  // Server RBAC filters (gRFC A41) are registered only with this flag, read when the package loads.
  process.env.GRPC_XDS_EXPERIMENTAL_RBAC = 'true';
  (require(join(base, 'index.js')) as { register(): void }).register();
  const decoders: Record<string, Decoder> = {
    lds: load('listener-resource-type.js', 'ListenerResourceType'),
    rds: load('route-config-resource-type.js', 'RouteConfigurationResourceType'),
    cds: load('cluster-resource-type.js', 'ClusterResourceType'),
    eds: load('endpoint-resource-type.js', 'EndpointResourceType'),
  };
  // A bootstrap like the one Istio's agent writes: the certificate provider instance `default`
  // that mTLS clusters and server listeners name (the validators NACK unknown instance names).
  const context = { bootstrap: { certificateProviders: { default: {} }, node: {}, xdsServers: [] }, server: {} };
  const rejected: string[] = [];
  let checked = 0;
  for (const name of readdirSync(testdata)) {
    const outFile = join(testdata, name, 'out.yaml');
    if (!existsSync(outFile)) continue;
    const out = parse(readFileSync(outFile, 'utf8')) as Record<string, Record<string, unknown>[]>;
    for (const [type, decoder] of Object.entries(decoders)) {
      for (const body of out[type] ?? []) {
        const { typeUrl, bytes } = encodeResourceBody(body);
        const result = decoder.decode(context, { type_url: typeUrl, value: Buffer.from(bytes) });
        checked++;
        if (result.error) rejected.push(`${name} ${type} ${result.name}: ${result.error}`);
      }
    }
  }
  assert.ok(checked >= 50, `only ${checked} resources checked`);
  assert.deepEqual(rejected, []);
});

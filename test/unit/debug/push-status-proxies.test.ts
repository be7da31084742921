/**
 * /debug/push_status `hits` counts distinct proxies: the resource cache reports a scope's
 * findings for every proxy served from it, whether the scope was generated for that proxy, taken
 * from the cache, or shared as a whole subscription.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Proxy } from '../../../src/model/proxy.js';
import type { Snapshot } from '../../../src/model/snapshot.js';
import { DiagnosticsLog } from '../../../src/serve/diagnostics-log.js';
import { ResourceCache } from '../../../src/serve/resource-cache.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import type { Generator, TranslateDiagnostic } from '../../../src/translate/types.js';

const finding: TranslateDiagnostic = { severity: 'warning', source: 'DestinationRule/app/r', path: 'spec.subsets', message: 'no endpoints' };

function fakeGenerator(): Generator & { calls: number } {
  const gen = {
    name: 'sidecar',
    typeUrls: [TypeUrl.Cluster],
    nameScopedTypeUrls: [],
    calls: 0,
    scopeKey: (proxy: Proxy) => proxy.namespace,
    generate: () => {
      gen.calls++;
      return { resources: [{ name: 'c1', body: { '@type': TypeUrl.Cluster, name: 'c1', type: 'EDS' } }], diagnostics: [finding] };
    },
    affectedByEndpoints: () => false,
    alsoAffectedByEndpoints: () => [],
  };
  return gen;
}

const proxy = (id: string, namespace: string) => ({ id, namespace }) as unknown as Proxy;

function cacheWithLog(): { cache: ResourceCache; log: DiagnosticsLog } {
  const log = new DiagnosticsLog();
  log.reset(1);
  const cache = new ResourceCache({ version: 1 } as unknown as Snapshot, {
    generatorFailed: () => assert.fail('generator failed'),
    encodeFailed: (_g, _t, name, error) => assert.fail(`encode ${name}: ${String(error)}`),
    diagnostics: (generator, typeUrl, diagnostics, proxyId) => log.record(1, generator, typeUrl, diagnostics, proxyId),
  });
  return { cache, log };
}

test('push_status hits: three proxies sharing one generated scope count three, a repeat does not', () => {
  const { cache, log } = cacheWithLog();
  const gen = fakeGenerator();
  for (const p of [proxy('a.app', 'app'), proxy('b.app', 'app'), proxy('c.app', 'app'), proxy('a.app', 'app')]) {
    assert.ok(cache.resolve(gen, p, TypeUrl.Cluster, undefined));
  }
  assert.equal(gen.calls, 1, 'generated once for the shared scope');
  assert.deepEqual(log.report().diagnostics.map((d) => d.hits), [3]);
});

test('push_status hits: whole shared subscriptions still count each proxy', () => {
  const { cache, log } = cacheWithLog();
  const gen = fakeGenerator();
  for (const id of ['a.app', 'b.app']) {
    const p = proxy(id, 'app');
    cache.shared(gen, p, TypeUrl.Cluster, 'fp', () => cache.resolve(gen, p, TypeUrl.Cluster, ['c1']));
  }
  assert.equal(gen.calls, 1);
  assert.deepEqual(log.report().diagnostics.map((d) => d.hits), [2]);
});

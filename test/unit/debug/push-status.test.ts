import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pushStatusView } from '../../../src/debug/push-status.js';
import type { Snapshot } from '../../../src/model/snapshot.js';
import { DiagnosticsLog } from '../../../src/serve/diagnostics-log.js';
import type { AdsServer } from '../../../src/serve/types.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import type { TranslateDiagnostic } from '../../../src/translate/types.js';

const subset: TranslateDiagnostic = {
  severity: 'warning', source: 'VirtualService/app/reviews', path: 'spec.http[0].route[1].destination.subset',
  resource: '80', message: 'subset v9 is not defined by any DestinationRule: route skipped',
};
const broken: TranslateDiagnostic = { severity: 'error', source: 'VirtualService/app/broken', path: 'spec.tcp[0]', message: 'no usable route' };

test('diagnostics log: dedupes per finding, counts distinct proxies, keeps the first generator, resets per snapshot', () => {
  const log = new DiagnosticsLog();
  log.reset(7);
  log.record(7, 'sidecar', TypeUrl.RouteConfiguration, [subset], 'a.app');
  log.record(7, 'sidecar', TypeUrl.Listener, [subset, broken], 'b.app');
  log.record(7, 'sidecar', TypeUrl.RouteConfiguration, [subset], 'a.app');
  log.record(7, 'sidecar', TypeUrl.Cluster, [subset], 'a.app');
  log.record(6, 'sidecar', TypeUrl.Listener, [{ ...broken, message: 'stale' }], 'c.app');
  const report = log.report();
  assert.equal(report.snapshotVersion, 7);
  assert.deepEqual(report.diagnostics.map((d) => [d.severity, d.source, d.type, d.hits]), [
    ['error', 'VirtualService/app/broken', 'lds', 1],
    ['warning', 'VirtualService/app/reviews', 'rds', 2],
  ], 'errors first; proxy a.app counts once however often it is served; a late report for snapshot 6 is ignored');
  log.reset(8);
  assert.deepEqual(log.report(), { snapshotVersion: 8, diagnostics: [], dropped: 0 });
});

test('diagnostics log: reports without a proxy id count once each; proxies past the per-finding cap still count', () => {
  const log = new DiagnosticsLog(10, 2);
  log.reset(1);
  log.record(1, 'sidecar', TypeUrl.Cluster, [broken]);
  log.record(1, 'sidecar', TypeUrl.Cluster, [broken]);
  for (const id of ['p1', 'p2', 'p3', 'p1']) log.record(1, 'sidecar', TypeUrl.Cluster, [broken], id);
  assert.equal(log.report().diagnostics[0]!.hits, 2 + 3, 'two anonymous reports, three distinct proxies (p3 past the cap)');
});

test('diagnostics log: bounded; distinct findings past the cap are only counted', () => {
  const log = new DiagnosticsLog(2);
  log.reset(1);
  log.record(1, 'sidecar', TypeUrl.Cluster, [1, 2, 3, 4].map((i) => ({ ...broken, path: `spec.tcp[${i}]` })));
  log.record(1, 'sidecar', TypeUrl.Cluster, [{ ...broken, path: 'spec.tcp[1]' }, { ...broken, path: 'spec.tcp[4]' }]);
  const report = log.report();
  assert.deepEqual(report.diagnostics.map((d) => [d.path, d.hits]), [['spec.tcp[1]', 2], ['spec.tcp[2]', 1]]);
  assert.equal(report.dropped, 2);
});

test('/debug/push_status names object, field and reason for snapshot and translate findings', () => {
  const log = new DiagnosticsLog();
  log.reset(3);
  log.record(3, 'sidecar', TypeUrl.RouteConfiguration, [subset]);
  const ads = { diagnostics: () => log.report() } as unknown as AdsServer;
  const snapshot = {
    version: 3,
    diagnostics: [{ ref: { kind: 'Service', namespace: 'app', name: 'web' }, path: 'spec.ports[1].targetPort', reason: 'named port not found' }],
  } as unknown as Snapshot;
  const body = pushStatusView(ads, () => snapshot)(new URLSearchParams()) as Record<string, any>;
  assert.equal(body.snapshotVersion, 3);
  assert.deepEqual(body.snapshot, [{ object: 'Service/app/web', path: 'spec.ports[1].targetPort', reason: 'named port not found' }]);
  assert.equal(body.translate.snapshotVersion, 3);
  assert.deepEqual(body.translate.diagnostics, [{
    severity: 'warning', object: 'VirtualService/app/reviews', path: 'spec.http[0].route[1].destination.subset',
    reason: 'subset v9 is not defined by any DestinationRule: route skipped', resource: '80', generator: 'sidecar', type: 'rds', hits: 1,
  }]);
});

test('/debug/push_status before any snapshot, with an ADS server that keeps no log', () => {
  const ads = {} as AdsServer;
  const body = pushStatusView(ads, () => undefined)(new URLSearchParams()) as Record<string, any>;
  assert.deepEqual(body, { snapshotVersion: 0, snapshot: [], translate: { snapshotVersion: 0, dropped: 0, diagnostics: [] } });
});

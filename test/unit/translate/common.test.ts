import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildClusterName, parseClusterName } from '../../../src/translate/common/cluster-name.js';
import { configPath, kebabCaseKind } from '../../../src/translate/common/provenance.js';
import { fractionalPercent, protoDuration } from '../../../src/translate/common/proto-values.js';
import { policyForPort, subsetPolicyForPort } from '../../../src/translate/common/traffic-policy.js';
import { Diagnostics, uniqueDiagnostics } from '../../../src/translate/common/diagnostics.js';
import type { ConfigObject } from '../../../src/model/config.js';
import type { TrafficPolicy } from '../../../src/model/types/destination-rule.js';

test('cluster names build and parse both ways', () => {
  assert.equal(buildClusterName(7070, 'v1', 'echo.app.svc.cluster.local'), 'outbound|7070|v1|echo.app.svc.cluster.local');
  assert.deepEqual(parseClusterName('outbound|7070||echo.app.svc.cluster.local'), { direction: 'outbound', port: 7070, subset: '', host: 'echo.app.svc.cluster.local' });
  for (const bad of ['echo:7070', 'outbound|0||a', 'outbound|70000||a', 'sideways|80||a', 'outbound|80|v1|', 'outbound|8a||a', 'a|b|c|d|e']) {
    assert.equal(parseClusterName(bad), undefined, bad);
  }
});

test('provenance path uses the kebab-case kind, as Istio writes it', () => {
  assert.equal(kebabCaseKind('VirtualService'), 'virtual-service');
  assert.equal(kebabCaseKind('DestinationRule'), 'destination-rule');
  const vs = { kind: 'VirtualService', apiVersion: 'networking.istio.io/v1beta1', metadata: { name: 'r', namespace: 'ns', labels: {}, annotations: {} }, spec: {} } as ConfigObject;
  assert.equal(configPath(vs), '/apis/networking.istio.io/v1beta1/namespaces/ns/virtual-service/r');
});

test('durations and percentages convert exactly', () => {
  assert.deepEqual(protoDuration('1.5s'), { seconds: 1, nanos: 500_000_000 });
  assert.deepEqual(protoDuration('100ms'), { seconds: 0, nanos: 100_000_000 });
  assert.deepEqual(protoDuration('1m30s'), { seconds: 90, nanos: 0 });
  assert.equal(protoDuration('soon'), undefined);
  assert.equal(protoDuration('-1s'), undefined);
  assert.deepEqual(fractionalPercent(12.5), { numerator: 125000, denominator: 'MILLION' });
});

test('traffic policy: port-level replaces, subset overrides field by field, subset port-level replaces', () => {
  const top: TrafficPolicy = {
    loadBalancer: { simple: 'ROUND_ROBIN' },
    outlierDetection: { consecutive5xxErrors: 5 },
    portLevelSettings: [{ port: { number: 80 }, connectionPool: { http: { http2MaxRequests: 7 } } }],
  };
  assert.deepEqual(policyForPort(top, 80), { connectionPool: { http: { http2MaxRequests: 7 } } });
  assert.deepEqual(policyForPort(top, 81), { loadBalancer: { simple: 'ROUND_ROBIN' }, outlierDetection: { consecutive5xxErrors: 5 } });
  const sub = { name: 'v1', trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: 'x' } } } };
  assert.deepEqual(subsetPolicyForPort(top, sub, 81), { loadBalancer: { consistentHash: { httpHeaderName: 'x' } }, outlierDetection: { consecutive5xxErrors: 5 } });
  const subPort = { name: 'v2', trafficPolicy: { ...sub.trafficPolicy, portLevelSettings: [{ port: { number: 81 }, tls: { mode: 'DISABLE' as const } }] } };
  assert.deepEqual(subsetPolicyForPort(top, subPort, 81), { tls: { mode: 'DISABLE' } });
});

test('diagnostics name the object as Kind/namespace/name and dedupe', () => {
  const d = new Diagnostics();
  d.warn({ kind: 'DestinationRule', namespace: 'ns', name: 'r' }, 'spec.host', 'm');
  d.warn({ kind: 'DestinationRule', namespace: 'ns', name: 'r' }, 'spec.host', 'm');
  assert.deepEqual(uniqueDiagnostics(d.items), [{ severity: 'warning', source: 'DestinationRule/ns/r', path: 'spec.host', message: 'm' }]);
});

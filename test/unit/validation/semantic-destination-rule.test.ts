import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KindName } from '../../../src/model/kinds.js';
import { renderIssue, type ValidationIssue } from '../../../src/lib/issue.js';
import { run, errors, warnings, expectError, table } from '../../helpers/semantic.js';


test('a full DestinationRule is valid', () => {
  const spec = {
    host: 'reviews.prod.svc.cluster.local',
    trafficPolicy: {
      loadBalancer: { consistentHash: { httpCookie: { name: 'user', ttl: '0s' }, maglev: { tableSize: 65537 } }, localityLbSetting: { distribute: [{ from: 'us-west/zone1/*', to: { 'us-west/zone1/*': 80, 'us-west/zone2/*': 20 } }] } },
      connectionPool: { tcp: { maxConnections: 100, connectTimeout: '30ms', tcpKeepalive: { time: '7200s', interval: '75s' } }, http: { http2MaxRequests: 1000, idleTimeout: '1h' } },
      outlierDetection: { consecutive5xxErrors: 7, interval: '5m', baseEjectionTime: '15m', maxEjectionPercent: 100 },
      tls: { mode: 'MUTUAL', credentialName: 'client-cert' },
      portLevelSettings: [{ port: { number: 80 }, loadBalancer: { simple: 'LEAST_REQUEST' } }],
    },
    subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } } }],
    exportTo: ['.'],
  };
  assert.deepEqual(errors(run('DestinationRule', spec)), []);
  assert.deepEqual(warnings(run('DestinationRule', spec)), []);
});

const tp = (trafficPolicy: unknown): Record<string, unknown> => ({ host: 'r', trafficPolicy });
table('DestinationRule', [
  ['bad host', { host: 'a..b' }, 'spec.host', 'invalid'],
  ['duplicate subset', { host: 'r', subsets: [{ name: 'v1' }, { name: 'v1' }] }, 'spec.subsets[1].name', 'duplicate subset names'],
  ['subset name not a DNS label', { host: 'r', subsets: [{ name: 'v1.0' }] }, 'spec.subsets[0].name', 'subset name is invalid'],
  ['subset label key', { host: 'r', subsets: [{ name: 'v1', labels: { '-x': 'a' } }] }, 'spec.subsets[0].labels', 'invalid tag key'],
  ['empty traffic policy', tp({}), 'spec.trafficPolicy', 'at least one field'],
  ['tunnel with proxyProtocol', tp({ tunnel: { targetHost: 'a.b', targetPort: 1 }, proxyProtocol: {} }), 'spec.trafficPolicy.proxyProtocol', 'must not be set together'],
  ['cookie without name', tp({ loadBalancer: { consistentHash: { httpCookie: { ttl: '1s' } } } }), 'spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.name', 'name required'],
  ['maglev table not prime', tp({ loadBalancer: { consistentHash: { useSourceIp: true, maglev: { tableSize: 1000 } } } }), 'spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize', 'prime'],
  ['minimumRingSize with ringHash', tp({ loadBalancer: { consistentHash: { useSourceIp: true, minimumRingSize: 5, ringHash: {} } } }), 'spec.trafficPolicy.loadBalancer.consistentHash.minimumRingSize', 'only one of'],
  ['distribute and failover', tp({ loadBalancer: { localityLbSetting: { distribute: [{ from: 'a', to: { b: 100 } }], failover: [{ from: 'a', to: 'b' }] } } }), 'spec.trafficPolicy.loadBalancer.localityLbSetting.failover', 'simultaneously'],
  ['distribute weights', tp({ loadBalancer: { localityLbSetting: { distribute: [{ from: 'a/*', to: { 'a/b/*': 60, 'a/c/*': 30 } }] } } }), 'spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to', '!= 100'],
  ['distribute locality wildcard', tp({ loadBalancer: { localityLbSetting: { distribute: [{ from: '*/zone', to: { a: 100 } }] } } }), 'spec.trafficPolicy.loadBalancer.localityLbSetting.distribute', 'must be in the end'],
  ['failover same region', tp({ outlierDetection: { interval: '1s' }, loadBalancer: { localityLbSetting: { failover: [{ from: 'us', to: 'us' }] } } }), 'spec.trafficPolicy.loadBalancer.localityLbSetting.failover[0]', 'different regions'],
  ['failover with topology priority', tp({ loadBalancer: { localityLbSetting: { failover: [{ from: 'a', to: 'b' }], failoverPriority: ['topology.kubernetes.io/zone'] } } }), 'spec.trafficPolicy.loadBalancer.localityLbSetting.failoverPriority', 'topology label'],
  ['outlier interval below 1ms', tp({ outlierDetection: { interval: '0s' } }), 'spec.trafficPolicy.outlierDetection.interval', 'greater than 1ms'],
  ['maxEjectionPercent', tp({ outlierDetection: { maxEjectionPercent: 101 } }), 'spec.trafficPolicy.outlierDetection.maxEjectionPercent', '0..100'],
  ['local origin failures without split', tp({ outlierDetection: { consecutiveLocalOriginFailures: 3 } }), 'spec.trafficPolicy.outlierDetection.consecutiveLocalOriginFailures', 'splitExternalLocalOriginErrors'],
  ['empty connection pool', tp({ connectionPool: {} }), 'spec.trafficPolicy.connectionPool', 'at least one field'],
  ['negative max connections', tp({ connectionPool: { tcp: { maxConnections: -1 } } }), 'spec.trafficPolicy.connectionPool.tcp.maxConnections', 'non-negative'],
  ['connect timeout', tp({ connectionPool: { tcp: { connectTimeout: '0.5ms' } } }), 'spec.trafficPolicy.connectionPool.tcp.connectTimeout', 'greater than 1ms'],
  ['h2 upgrade with client protocol', tp({ connectionPool: { http: { h2UpgradePolicy: 'UPGRADE', useClientProtocol: true } } }), 'spec.trafficPolicy.connectionPool.http.useClientProtocol', 'UPGRADE'],
  ['MUTUAL without certs', tp({ tls: { mode: 'MUTUAL' } }), 'spec.trafficPolicy.tls.clientCertificate', 'client certificate required'],
  ['credentialName with cert files', tp({ tls: { mode: 'SIMPLE', credentialName: 'c', caCertificates: '/ca.pem' } }), 'spec.trafficPolicy.tls', 'CA CRL if credentialName is set'],
  ['insecureSkipVerify with SANs', tp({ tls: { mode: 'SIMPLE', insecureSkipVerify: true, subjectAltNames: ['a'] } }), 'spec.trafficPolicy.tls', 'insecureSkipVerify'],
  ['port level without port', tp({ portLevelSettings: [{ tls: { mode: 'SIMPLE' } }] }), 'spec.trafficPolicy.portLevelSettings[0].port', 'valid port'],
  ['port level duplicate', tp({ portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'SIMPLE' } }, { port: { number: 80 }, tls: { mode: 'SIMPLE' } }] }), 'spec.trafficPolicy.portLevelSettings[1].port.number', 'already has port level settings'],
  ['tunnel bad target', tp({ tunnel: { targetHost: 'not a host', targetPort: 443 } }), 'spec.trafficPolicy.tunnel.targetHost', 'valid FQDN or IP'],
  ['selector with exportTo elsewhere', { host: 'r', workloadSelector: { matchLabels: { app: 'a' } }, exportTo: ['other'] }, 'spec.exportTo', 'beyond current namespace'],
  ['selector wildcard', { host: 'r', workloadSelector: { matchLabels: { app: '*' } } }, 'spec.workloadSelector.matchLabels.app', 'wildcard is not supported'],
]);

test('DestinationRule warnings: deprecated consecutiveErrors, failover without outlier detection', () => {
  const w = warnings(run('DestinationRule', tp({ outlierDetection: { consecutiveErrors: 3 } }))).join('\n');
  assert.match(w, /consecutiveErrors.*deprecated/);
  const f = warnings(run('DestinationRule', tp({ loadBalancer: { localityLbSetting: { failover: [{ from: 'a', to: 'b' }] } } }))).join('\n');
  assert.match(f, /outlier detection policy must be provided for failover/);
});

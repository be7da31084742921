import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cds, httpOptions, MESH } from './sidecar-cds-fixtures.js';

const HTTP = 'outbound|80||echo.app.svc.cluster.local';
const GRPC = 'outbound|7070||echo.app.svc.cluster.local';
const V1 = 'outbound|80|v1|echo.app.svc.cluster.local';
const V2 = 'outbound|7070|v2|echo.app.svc.cluster.local';

const DR = `${MESH}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo, namespace: app}
spec:
  host: echo.app.svc.cluster.local
  trafficPolicy:
    loadBalancer:
      simple: ROUND_ROBIN
      warmupDurationSecs: 30s
      localityLbSetting: {distribute: [{from: r1/*, to: {"r1/*": 80, "r2/*": 20}}]}
    connectionPool:
      tcp: {maxConnections: 10, connectTimeout: 2s, tcpKeepalive: {probes: 3, time: 60s}, maxConnectionDuration: 1h}
      http: {http1MaxPendingRequests: 5, http2MaxRequests: 50, maxRetries: 2, maxRequestsPerConnection: 7, idleTimeout: 30s, maxConcurrentStreams: 8}
    outlierDetection: {consecutive5xxErrors: 3, consecutiveGatewayErrors: 0, interval: 5s, baseEjectionTime: 30s, maxEjectionPercent: 50, minHealthPercent: 20}
    portLevelSettings:
    - port: {number: 7070}
      loadBalancer: {consistentHash: {maglev: {tableSize: 65537}}}
      connectionPool: {http: {maxConcurrentStreams: 8}}
  subsets:
  - name: v1
    labels: {version: v1}
    trafficPolicy:
      loadBalancer: {consistentHash: {httpHeaderName: x-user, ringHash: {minimumRingSize: 256}}}
      outlierDetection: {splitExternalLocalOriginErrors: true, consecutiveLocalOriginFailures: 4}
  - name: v2
    labels: {version: v2}
    trafficPolicy:
      loadBalancer: {simple: RANDOM, localityLbSetting: {enabled: false}}
`;

test('load balancer: top-level, port-level (replaces), subset (overrides field by field); warmup and locality weighting', () => {
  const out = cds(DR);
  const http = out.get(HTTP);
  assert.equal(http.lb_policy, 'ROUND_ROBIN');
  assert.deepEqual(http.round_robin_lb_config, { slow_start_config: { slow_start_window: { seconds: 30, nanos: 0 } } });
  assert.deepEqual(http.common_lb_config.locality_weighted_lb_config, {}, 'distribute needs locality weights');
  const grpc = out.get(GRPC);
  assert.equal(grpc.lb_policy, 'MAGLEV');
  assert.deepEqual(grpc.maglev_lb_config, { table_size: { value: 65537 } });
  assert.equal(grpc.outlier_detection, undefined, 'a port-level entry does not inherit the top-level policy');
  assert.deepEqual(grpc.circuit_breakers.thresholds[0].max_connections, { value: 4294967295 });
  const v1 = out.get(V1);
  assert.equal(v1.lb_policy, 'RING_HASH');
  assert.deepEqual(v1.ring_hash_lb_config, { minimum_ring_size: { value: 256 } });
  assert.equal(v1.round_robin_lb_config, undefined, 'one lb_config only');
  assert.deepEqual(v1.circuit_breakers.thresholds[0].max_connections, { value: 10 }, 'subset inherits the rule pool');
  const v2 = out.get(V2);
  assert.equal(v2.lb_policy, 'RANDOM');
  assert.equal(v2.common_lb_config.locality_weighted_lb_config, undefined, 'enabled: false turns locality off');
});

test('connection pool: thresholds, timeouts, keepalive, HTTP protocol options; outlier detection with Istio enforcing values', () => {
  const out = cds(DR);
  const http = out.get(HTTP);
  assert.deepEqual(http.circuit_breakers.thresholds[0], {
    max_connections: { value: 10 }, max_pending_requests: { value: 5 }, max_requests: { value: 50 }, max_retries: { value: 2 }, track_remaining: true,
  });
  assert.deepEqual(http.connect_timeout, { seconds: 2, nanos: 0 });
  assert.deepEqual(http.upstream_connection_options, { tcp_keepalive: { keepalive_probes: { value: 3 }, keepalive_time: { value: 60 } } });
  const options = httpOptions(http)!;
  assert.deepEqual(options.common_http_protocol_options, {
    idle_timeout: { seconds: 30, nanos: 0 }, max_requests_per_connection: { value: 7 }, max_connection_duration: { seconds: 3600, nanos: 0 },
  });
  assert.deepEqual(options.explicit_http_config, { http_protocol_options: {} }, 'HTTP/1.1 stays explicit');
  assert.deepEqual(httpOptions(out.get(GRPC))!.explicit_http_config, { http2_protocol_options: { max_concurrent_streams: { value: 8 } } });
  assert.deepEqual(http.outlier_detection, {
    enforcing_success_rate: { value: 0 },
    consecutive_5xx: { value: 3 }, enforcing_consecutive_5xx: { value: 100 },
    consecutive_gateway_failure: { value: 0 }, enforcing_consecutive_gateway_failure: { value: 0 },
    interval: { seconds: 5, nanos: 0 }, base_ejection_time: { seconds: 30, nanos: 0 }, max_ejection_percent: { value: 50 },
  });
  assert.deepEqual(http.common_lb_config.healthy_panic_threshold, { value: 20 });
  const v1 = out.get(V1).outlier_detection;
  assert.equal(v1.split_external_local_origin_errors, true);
  assert.deepEqual(v1.consecutive_local_origin_failure, { value: 4 });
  assert.deepEqual(v1.enforcing_consecutive_local_origin_failure, { value: 100 });
});

test('h2 upgrade and useClientProtocol; failover without outlier detection is reported; bad durations never throw', () => {
  const yaml = `${MESH}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo, namespace: app}
spec:
  host: echo
  trafficPolicy:
    connectionPool: {http: {h2UpgradePolicy: UPGRADE}}
    loadBalancer: {localityLbSetting: {failover: [{from: r1, to: r2}]}}
    portLevelSettings:
    - port: {number: 7070}
      connectionPool: {http: {useClientProtocol: true}}
`;
  const out = cds(yaml);
  const http = out.get(HTTP);
  assert.deepEqual(httpOptions(http)!.explicit_http_config, { http2_protocol_options: {} });
  assert.deepEqual(http.transport_socket_matches[0].transport_socket.typed_config.common_tls_context.alpn_protocols, ['istio-peer-exchange', 'istio', 'h2']);
  assert.equal(http.common_lb_config.locality_weighted_lb_config, undefined);
  assert.ok(out.diagnostics.some((d) => d.path === 'spec.trafficPolicy.loadBalancer.localityLbSetting' && d.source === 'DestinationRule/app/echo'));
  assert.ok(httpOptions(out.get(GRPC))!.use_downstream_protocol_config, 'useClientProtocol wins over the h2 port');
  const meshWide = cds(MESH, { mesh: { h2UpgradePolicy: 'UPGRADE' } });
  assert.deepEqual(httpOptions(meshWide.get(HTTP))!.explicit_http_config, { http2_protocol_options: {} });
  assert.ok(httpOptions(meshWide.get('outbound|9000||echo.app.svc.cluster.local'))!.use_downstream_protocol_config, 'sniffed ports are not upgraded');

  const broken = cds(yaml, {
    edit: (objects) => objects.map((o) => (o.kind !== 'DestinationRule' ? o : { ...o, spec: { host: 'echo', trafficPolicy: { connectionPool: { tcp: { connectTimeout: 'soon' } } } } })),
  });
  assert.deepEqual(broken.get(HTTP).connect_timeout, { seconds: 10, nanos: 0 }, 'mesh default kept');
  assert.ok(broken.diagnostics.some((d) => d.path === 'spec.trafficPolicy.connectionPool.tcp.connectTimeout'));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import type { ConfigObject } from '../../../src/model/config.js';
import type { ClientTLSSettings } from '../../../src/model/types/destination-rule.js';
import { checkResourceShape } from '../../../src/serve/proto/encode.js';
import { finishDraft, newDraft, setHttp2 } from '../../../src/translate/sidecar/cds/draft.js';
import type { FieldOrigin } from '../../../src/translate/sidecar/cds/origin.js';
import { applyUpstreamTls, type TlsInput } from '../../../src/translate/sidecar/cds/upstream-tls.js';
import { checkValidateRules } from '../../helpers/validate-rules.js';
import { buildSnapshot } from '../../../src/model/snapshot.js';
import { createSidecarGenerator } from '../../../src/translate/sidecar/index.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import { checkIntegrity } from '../../helpers/xds-integrity.js';
import { objectsFrom } from './grpc-fixtures.js';
import { cds, httpOptions, MESH, sidecarProxy, type Json } from './sidecar-cds-fixtures.js';

const HTTP = 'outbound|80||echo.app.svc.cluster.local';
const GRPC = 'outbound|7070||echo.app.svc.cluster.local';
const AUTO = 'outbound|9000||echo.app.svc.cluster.local';
const UNLIMITED = 4294967295;

const tlsContext = (socket: Json) => socket.typed_config as Json;

test('outbound: EDS per service port (UDP left out), Istio defaults, telemetry metadata, special clusters', () => {
  const out = cds(MESH);
  assert.ok(!out.has('outbound|53||echo.app.svc.cluster.local'), 'UDP is not proxied');
  for (const special of ['BlackHoleCluster', 'PassthroughCluster', 'InboundPassthroughCluster']) assert.ok(out.has(special), special);
  const http = out.get(HTTP);
  assert.equal(http.type, 'EDS');
  assert.deepEqual(http.eds_cluster_config, { service_name: HTTP, eds_config: { ads: {}, resource_api_version: 'V3', initial_fetch_timeout: { seconds: 0, nanos: 0 } } });
  assert.equal(http.lb_policy, 'LEAST_REQUEST', "Istio's default");
  assert.deepEqual(http.connect_timeout, { seconds: 10, nanos: 0 });
  assert.deepEqual(http.circuit_breakers.thresholds[0], {
    max_connections: { value: UNLIMITED }, max_pending_requests: { value: UNLIMITED }, max_requests: { value: UNLIMITED }, max_retries: { value: UNLIMITED }, track_remaining: true,
  });
  assert.deepEqual(http.metadata.filter_metadata.istio, { services: [{ host: 'echo.app.svc.cluster.local', name: 'echo', namespace: 'app' }] });
  assert.equal(httpOptions(http), undefined, 'plain HTTP/1.1 needs no protocol options');
  assert.deepEqual(httpOptions(out.get(GRPC))?.explicit_http_config, { http2_protocol_options: {} });
  assert.deepEqual(httpOptions(out.get(AUTO))?.use_downstream_protocol_config, { http_protocol_options: {}, http2_protocol_options: {} });
  const blackHole = out.get('BlackHoleCluster');
  assert.equal(blackHole.type, 'STATIC');
  const passthrough = out.get('PassthroughCluster');
  assert.equal(passthrough.type, 'ORIGINAL_DST');
  assert.equal(passthrough.lb_policy, 'CLUSTER_PROVIDED');
  assert.deepEqual(httpOptions(passthrough)?.common_http_protocol_options, { idle_timeout: { seconds: 300, nanos: 0 } });
  assert.ok(httpOptions(passthrough)?.use_downstream_protocol_config);
  assert.deepEqual(out.get('InboundPassthroughCluster').upstream_bind_config, { source_address: { address: '127.0.0.6', port_value: 0 } });
});

test('every EDS cluster gets its ClusterLoadAssignment (referential integrity)', () => {
  const gen = createSidecarGenerator({ mesh: defaultMeshConfig() });
  const snapshot = buildSnapshot(objectsFrom(MESH), undefined);
  const clusters = gen.generate(snapshot, sidecarProxy(), TypeUrl.Cluster, undefined).resources;
  const edsNames = clusters.filter((c) => c.body.type === 'EDS').map((c) => c.name);
  assert.ok(edsNames.length >= 3);
  const endpoints = gen.generate(snapshot, sidecarProxy(), TypeUrl.ClusterLoadAssignment, edsNames).resources;
  assert.deepEqual(checkIntegrity({ listeners: [], routes: [], clusters, endpoints }), []);
});

test('auto mTLS: istio/plaintext transport socket matches with SNI, SPIFFE SANs, ALPN (+h2), via sds-grpc', () => {
  const out = cds(MESH);
  const matches = out.get(GRPC).transport_socket_matches as Json[];
  assert.deepEqual(matches.map((m) => [m.name, m.match]), [['tlsMode-istio', { tlsMode: 'istio' }], ['tlsMode-disabled', {}]]);
  assert.equal(matches[1]!.transport_socket.name, 'envoy.transport_sockets.raw_buffer');
  const ctx = tlsContext(matches[0]!.transport_socket);
  assert.equal(ctx.sni, 'outbound_.7070_._.echo.app.svc.cluster.local');
  const common = ctx.common_tls_context;
  assert.deepEqual(common.alpn_protocols, ['istio-peer-exchange', 'istio', 'h2']);
  assert.equal(common.tls_certificate_sds_secret_configs[0].name, 'default');
  const sdsSource = common.tls_certificate_sds_secret_configs[0].sds_config.api_config_source;
  assert.deepEqual(sdsSource.grpc_services, [{ envoy_grpc: { cluster_name: 'sds-grpc' } }]);
  assert.equal(sdsSource.api_type, 'GRPC');
  assert.equal(sdsSource.transport_api_version, 'V3');
  assert.equal(common.combined_validation_context.validation_context_sds_secret_config.name, 'ROOTCA');
  assert.deepEqual(common.combined_validation_context.default_validation_context.match_subject_alt_names, [{ exact: 'spiffe://cluster.local/ns/app/sa/echo' }]);
  const httpAlpn = tlsContext(out.get(HTTP).transport_socket_matches[0].transport_socket).common_tls_context.alpn_protocols;
  assert.deepEqual(httpAlpn, ['istio-peer-exchange', 'istio']);
});

test('auto mTLS is off when the mesh disables it or the namespace PeerAuthentication is DISABLE', () => {
  assert.equal(cds(MESH, { mesh: { enableAutoMtls: false } }).get(HTTP).transport_socket_matches, undefined);
  const disabled = `${MESH}---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: app}
spec: {mtls: {mode: DISABLE}}
`;
  const http = cds(disabled).get(HTTP);
  assert.equal(http.transport_socket_matches, undefined);
  assert.equal(http.transport_socket, undefined);
});

const TLS_DR = `${MESH}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo, namespace: app}
spec:
  host: echo
  trafficPolicy:
    tls: {mode: SIMPLE, caCertificates: /etc/certs/ca.pem, sni: echo.example.com, subjectAltNames: [echo.example.com]}
    portLevelSettings:
    - port: {number: 7070}
      tls: {mode: MUTUAL, caCertificates: /etc/certs/ca.pem, clientCertificate: /c.pem, privateKey: /k.pem}
    - port: {number: 9000}
      tls: {mode: DISABLE}
  subsets:
  - name: v1
    labels: {version: v1}
    trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
  - name: v2
    labels: {version: v2}
    trafficPolicy: {tls: {mode: SIMPLE, credentialName: echo-cert}}
`;

test('DestinationRule TLS: SIMPLE with file CA over the agent, ISTIO_MUTUAL subset, MUTUAL without certs, credentialName without selector, DISABLE', () => {
  // MUTUAL without a certificate (validation refuses it; translation must still cope).
  const dropCerts = (objects: ConfigObject[]) => objects.map((o) => {
    if (o.kind !== 'DestinationRule') return o;
    const spec = structuredClone(o.spec) as any;
    spec.trafficPolicy.portLevelSettings[0].tls = { mode: 'MUTUAL' };
    return { ...o, spec };
  });
  const out = cds(TLS_DR, { edit: dropCerts });
  const simple = out.get(HTTP);
  assert.equal(simple.transport_socket_matches, undefined, 'a rule-set TLS mode replaces auto mTLS');
  const ctx = tlsContext(simple.transport_socket);
  assert.equal(ctx.sni, 'echo.example.com');
  const validation = ctx.common_tls_context.combined_validation_context;
  assert.equal(validation.validation_context_sds_secret_config.name, 'file-root:/etc/certs/ca.pem');
  assert.deepEqual(validation.default_validation_context.match_subject_alt_names, [{ exact: 'echo.example.com' }]);
  assert.equal(simple.metadata.filter_metadata.istio.alpn_override, 'false');
  assert.equal(simple.metadata.filter_metadata.istio.config, '/apis/networking.istio.io/v1/namespaces/app/destination-rule/echo');

  const v1 = out.get('outbound|80|v1|echo.app.svc.cluster.local');
  assert.equal(tlsContext(v1.transport_socket).sni, 'outbound_.80_.v1_.echo.app.svc.cluster.local');
  assert.equal(v1.metadata.filter_metadata.istio.subset, 'v1');

  assert.equal(out.get(GRPC).transport_socket, undefined, 'MUTUAL without client certificate: no TLS, as in Istio');
  assert.ok(out.diagnostics.some((d) => d.severity === 'error' && d.path === 'spec.trafficPolicy.portLevelSettings[0].tls' && d.source === 'DestinationRule/app/echo'));
  assert.equal(out.get('outbound|80|v2|echo.app.svc.cluster.local').transport_socket, undefined);
  assert.ok(out.diagnostics.some((d) => d.severity === 'warning' && d.path === 'spec.subsets[1].trafficPolicy.tls.credentialName'));
  const disabled = out.get(AUTO);
  assert.equal(disabled.transport_socket, undefined);
  assert.equal(disabled.transport_socket_matches, undefined);
});

test('credentialName (DestinationRule with a workloadSelector): kubernetes:// secrets over ADS; MUTUAL files via the agent', () => {
  const at: FieldOrigin = { source: undefined, path: 'spec.trafficPolicy.tls', warn: () => assert.fail('no warning expected'), error: () => assert.fail('no error expected') };
  const input = (tls: ClientTLSSettings, h2 = false): TlsInput => {
    const draft = newDraft('outbound|80||echo.app.svc.cluster.local', 'EDS');
    if (h2) setHttp2(draft);
    return { draft, mesh: defaultMeshConfig(), tls, at, identities: [], sni: 'unused', autoMtls: true, identitiesAsDefaultSans: false, ruleHasSelector: true };
  };
  const credential = input({ mode: 'MUTUAL', credentialName: 'echo-cert' });
  applyUpstreamTls(credential);
  const cluster = finishDraft(credential.draft).body as Json;
  assert.deepEqual(checkResourceShape(cluster), []);
  assert.deepEqual(checkValidateRules(cluster), []);
  const common = tlsContext(cluster.transport_socket).common_tls_context;
  assert.deepEqual(common.tls_certificate_sds_secret_configs, [{ name: 'kubernetes://echo-cert', sds_config: { ads: {}, resource_api_version: 'V3' } }]);
  assert.equal(common.combined_validation_context.validation_context_sds_secret_config.name, 'kubernetes://echo-cert-cacert');
  assert.deepEqual(httpOptions(cluster)?.upstream_http_protocol_options, { auto_sni: true, auto_san_validation: true });

  const files = input({ mode: 'MUTUAL', clientCertificate: '/c.pem', privateKey: '/k.pem', insecureSkipVerify: true }, true);
  applyUpstreamTls(files);
  const filesCommon = tlsContext(finishDraft(files.draft).body.transport_socket as Json).common_tls_context;
  assert.equal(filesCommon.tls_certificate_sds_secret_configs[0].name, 'file-cert:/c.pem~/k.pem');
  assert.deepEqual(filesCommon.validation_context, {}, 'insecureSkipVerify: no CA');
  assert.deepEqual(filesCommon.alpn_protocols, ['h2']);
});

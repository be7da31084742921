import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  buildMeshConfig,
  defaultMeshConfig,
  meshConfigFromConfigMap,
  parseMeshConfig,
  parseMeshConfigDetailed,
  type MeshConfig,
} from '../../../src/config/mesh-config.js';
import { renderIssue, type ValidationIssue } from '../../../src/lib/issue.js';

function parsed(yaml: string): MeshConfig {
  const r = parseMeshConfig(yaml, 'test');
  if (!r.ok) assert.fail(`expected success, got: ${r.errors.map(renderIssue).join('; ')}`);
  return r.value;
}

function errorsOf(yaml: string): ValidationIssue[] {
  const r = parseMeshConfig(yaml, 'test');
  if (r.ok) assert.fail('expected errors, got success');
  return r.errors;
}

/** Asserts exactly one error at `path`, whose rendered message contains `fragment`. */
function expectError(yaml: string, path: string, fragment: string): void {
  const errors = errorsOf(yaml);
  const at = errors.filter((e) => e.path === path);
  assert.equal(at.length, 1, `expected one error at ${path}; got: ${errors.map(renderIssue).join('; ')}`);
  assert.ok(renderIssue(at[0]!).includes(fragment), `"${renderIssue(at[0]!)}" should contain "${fragment}"`);
}

test('defaults match istiod', () => {
  const mc = defaultMeshConfig();
  assert.equal(mc.trustDomain, 'cluster.local');
  assert.equal(mc.rootNamespace, 'istio-system');
  assert.equal(mc.enableAutoMtls, true);
  assert.equal(mc.outboundTrafficPolicy.mode, 'ALLOW_ANY');
  assert.equal(mc.connectTimeout, '10s');
  assert.equal(mc.protocolDetectionTimeout, '0s');
  assert.equal(mc.ingressClass, 'istio');
  assert.equal(mc.ingressService, 'istio-ingressgateway');
  assert.equal(mc.ingressControllerMode, 'STRICT');
  assert.equal(mc.enablePrometheusMerge, true);
  assert.deepEqual(mc.defaultServiceExportTo, ['*']);
  assert.deepEqual(mc.defaultVirtualServiceExportTo, ['*']);
  assert.deepEqual(mc.defaultDestinationRuleExportTo, ['*']);
  assert.equal(mc.dnsRefreshRate, '60s');
  assert.equal(mc.accessLogFile, '');
  assert.deepEqual(mc.extensionProviders.map((p) => p.name), ['prometheus', 'stackdriver', 'envoy']);
  const pc = mc.defaultConfig;
  assert.equal(pc.discoveryAddress, 'istiod.istio-system.svc:15012');
  assert.deepEqual(pc.proxyMetadata, {});
  assert.equal(pc.drainDuration, '45s');
  assert.equal(pc.terminationDrainDuration, '5s');
  assert.equal(pc.statusPort, 15020);
  assert.equal(pc.proxyAdminPort, 15000);
  assert.equal(pc.configPath, './etc/istio/proxy');
  assert.equal(pc.binaryPath, '/usr/local/bin/envoy');
  assert.equal(pc.serviceCluster, 'istio-proxy');
  assert.equal(pc.controlPlaneAuthPolicy, 'MUTUAL_TLS');
});

test('empty text, comments only and an empty mapping all give the defaults', () => {
  for (const text of ['', '# nothing here\n', '{}', '---\n']) assert.deepEqual(parsed(text), defaultMeshConfig());
});

test('the result is deep-frozen', () => {
  const mc = parsed('defaultConfig:\n  proxyMetadata:\n    A: "1"\n');
  assert.ok(Object.isFrozen(mc));
  assert.ok(Object.isFrozen(mc.defaultConfig));
  assert.ok(Object.isFrozen(mc.defaultConfig.proxyMetadata));
  assert.ok(Object.isFrozen(mc.extensionProviders[0]));
  assert.throws(() => {
    (mc as { trustDomain: string }).trustDomain = 'x';
  }, TypeError);
});

test('top-level fields override the defaults; lists are replaced', () => {
  const mc = parsed(`
trustDomain: example.org
rootNamespace: mesh-root
enableAutoMtls: false
outboundTrafficPolicy:
  mode: REGISTRY_ONLY
accessLogFile: /dev/stdout
accessLogEncoding: JSON
connectTimeout: 2.5s
protocolDetectionTimeout: 100ms
defaultServiceExportTo: ["."]
enablePrometheusMerge: false
`);
  assert.equal(mc.trustDomain, 'example.org');
  assert.equal(mc.rootNamespace, 'mesh-root');
  assert.equal(mc.enableAutoMtls, false);
  assert.equal(mc.outboundTrafficPolicy.mode, 'REGISTRY_ONLY');
  assert.equal(mc.accessLogFile, '/dev/stdout');
  assert.equal(mc.accessLogEncoding, 'JSON');
  assert.equal(mc.connectTimeout, '2.5s');
  assert.equal(mc.protocolDetectionTimeout, '100ms');
  assert.deepEqual(mc.defaultServiceExportTo, ['.']);
  assert.deepEqual(mc.defaultVirtualServiceExportTo, ['*']);
  assert.equal(mc.enablePrometheusMerge, false);
  assert.equal(mc.ingressClass, 'istio', 'untouched fields keep their defaults');
});

test('defaultConfig is merged field by field and proxyMetadata key by key', () => {
  const mc = parsed(`
defaultConfig:
  discoveryAddress: istiod.other.svc:15012
  holdApplicationUntilProxyStarts: true
  concurrency: 0
  proxyMetadata:
    ISTIO_META_DNS_CAPTURE: "true"
`);
  const pc = mc.defaultConfig;
  assert.equal(pc.discoveryAddress, 'istiod.other.svc:15012');
  assert.equal(pc.holdApplicationUntilProxyStarts, true);
  assert.equal(pc.concurrency, 0);
  assert.deepEqual(pc.proxyMetadata, { ISTIO_META_DNS_CAPTURE: 'true' });
  assert.equal(pc.drainDuration, '45s');
  assert.equal(pc.statusPort, 15020);
  assert.equal(pc.serviceCluster, 'istio-proxy');
});

test('tracingServiceName replaces serviceCluster (they are a oneof)', () => {
  const pc = parsed('defaultConfig:\n  tracingServiceName: CANONICAL_NAME_ONLY\n').defaultConfig;
  assert.equal(pc.tracingServiceName, 'CANONICAL_NAME_ONLY');
  assert.equal(pc.serviceCluster, undefined);
});

test('extensionProviders merge by name; trustDomainAliases are unioned and sorted', () => {
  const mc = parsed(`
extensionProviders:
  - name: envoy
    envoyFileAccessLog: {path: /dev/stderr}
  - name: otel
    opentelemetry: {service: otel.observability.svc.cluster.local, port: 4317}
trustDomainAliases: [zeta.org, alpha.org, zeta.org]
defaultProviders:
  tracing: [otel]
`);
  assert.deepEqual(mc.extensionProviders.map((p) => p.name), ['prometheus', 'stackdriver', 'envoy', 'otel']);
  assert.deepEqual(mc.extensionProviders[2], { name: 'envoy', envoyFileAccessLog: { path: '/dev/stderr' } });
  assert.deepEqual(mc.trustDomainAliases, ['alpha.org', 'zeta.org']);
  assert.deepEqual(mc.defaultProviders, { tracing: ['otel'] });
});

test('proto JSON spellings are accepted: snake_case names, enum numbers, ints as strings, Go durations', () => {
  const mc = parsed('trust_domain: a.b\ningressControllerMode: 1\nproxyListenPort: "15001"\ndnsRefreshRate: 1m30s\n');
  assert.equal(mc.trustDomain, 'a.b');
  assert.equal(mc.ingressControllerMode, 'OFF');
  assert.equal(mc.proxyListenPort, 15001);
  assert.equal(mc.dnsRefreshRate, '1m30s');
});

test('removed fields are warnings, not errors', () => {
  const out = parseMeshConfigDetailed('disablePolicyChecks: true\ndefaultConfig:\n  zipkinAddress: z:9411\n', 'test');
  assert.ok(out.result.ok);
  assert.deepEqual(out.warnings.map((w) => w.path), ['disablePolicyChecks', 'defaultConfig.zipkinAddress']);
});

test('every error names the field path', () => {
  const cases: [yaml: string, path: string, fragment: string][] = [
    ['bogus: 1', 'bogus', 'unknown field'],
    ['defaultConfig:\n  bogus: 1', 'defaultConfig.bogus', 'unknown field'],
    ['outboundTrafficPolicy:\n  bogus: 1', 'outboundTrafficPolicy.bogus', 'unknown field'],
    ['trustDomain: 42', 'trustDomain', 'must be a string'],
    ['enableAutoMtls: "yes"', 'enableAutoMtls', 'must be a boolean'],
    ['proxyListenPort: 1.5', 'proxyListenPort', 'must be an integer'],
    ['proxyListenPort: 70000', 'proxyListenPort', 'port number must be in the range 1..65535'],
    ['defaultServiceExportTo: "*"', 'defaultServiceExportTo', 'must be a list'],
    ['defaultConfig: []', 'defaultConfig', 'must be a mapping'],
    ['defaultConfig:\n  proxyMetadata:\n    DNS_CAPTURE: true', 'defaultConfig.proxyMetadata.DNS_CAPTURE', 'must be a string'],
    ['outboundTrafficPolicy:\n  mode: DENY', 'outboundTrafficPolicy.mode', 'Unsupported value: "DENY"'],
    ['connectTimeout: 10', 'connectTimeout', 'must be a duration'],
    ['connectTimeout: 10 seconds', 'connectTimeout', 'must be a duration'],
    ['connectTimeout: 0s', 'connectTimeout', 'at least 1ms'],
    ['connectTimeout: 2h', 'connectTimeout', 'at most 1h'],
    ['connectTimeout: 1500us', 'connectTimeout', 'ms precision'],
    ['protocolDetectionTimeout: -1s', 'protocolDetectionTimeout', 'must not be negative'],
    ['protocolDetectionTimeout: 1500us', 'protocolDetectionTimeout', 'ms precision'],
    ['dnsRefreshRate: 0s', 'dnsRefreshRate', 'at least 1ms'],
    ['defaultConfig:\n  drainDuration: 1500ms', 'defaultConfig.drainDuration', 'seconds precision'],
    ['defaultConfig:\n  terminationDrainDuration: -5s', 'defaultConfig.terminationDrainDuration', 'must not be negative'],
    ['trustDomain: ""', 'trustDomain', 'empty domain name'],
    ['trustDomain: Bad_Domain', 'trustDomain', 'RFC 1123'],
    ['trustDomainAliases: [ok.org, "x y"]', 'trustDomainAliases[1]', 'RFC 1123'],
    ['rootNamespace: Istio.System', 'rootNamespace', 'namespace name'],
    ['defaultConfig:\n  discoveryAddress: ""', 'defaultConfig.discoveryAddress', 'must be set'],
    ['defaultConfig:\n  discoveryAddress: istiod.istio-system.svc', 'defaultConfig.discoveryAddress', 'missing port'],
    ['defaultConfig:\n  discoveryAddress: istiod:http', 'defaultConfig.discoveryAddress', 'is not a number'],
    ['defaultConfig:\n  discoveryAddress: istiod:0', 'defaultConfig.discoveryAddress', 'range 1..65535'],
    ['defaultConfig:\n  discoveryAddress: "bad host!:15012"', 'defaultConfig.discoveryAddress', 'not a valid hostname'],
    ['defaultConfig:\n  discoveryAddress: "::1:15012"', 'defaultConfig.discoveryAddress', 'brackets'],
    ['defaultConfig:\n  configPath: ""', 'defaultConfig.configPath', 'must be set'],
    ['defaultConfig:\n  binaryPath: ""', 'defaultConfig.binaryPath', 'must be set'],
    ['defaultConfig:\n  serviceCluster: ""', 'defaultConfig.serviceCluster', 'must be set'],
    ['defaultConfig:\n  serviceCluster: a\n  tracingServiceName: CANONICAL_NAME_ONLY', 'defaultConfig.tracingServiceName', 'only one of'],
    ['defaultConfig:\n  proxyAdminPort: 0', 'defaultConfig.proxyAdminPort', 'range 1..65535'],
    ['defaultConfig:\n  statusPort: 65536', 'defaultConfig.statusPort', 'range 1..65535'],
    ['defaultConfig:\n  controlPlaneAuthPolicy: INHERIT', 'defaultConfig.controlPlaneAuthPolicy', 'INHERIT'],
    ['defaultConfig:\n  concurrency: -1', 'defaultConfig.concurrency', 'greater than or equal to 0'],
    ['defaultConfig:\n  tracing:\n    zipkin: {address: "zipkin"}', 'defaultConfig.tracing.zipkin.address', 'missing port'],
    ['defaultConfig:\n  tracing:\n    zipkin: {address: "z:1"}\n    datadog: {address: "d:1"}', 'defaultConfig.tracing.datadog', 'only one of'],
    ['defaultConfig:\n  tracing:\n    lightstep: {address: "l:1"}', 'defaultConfig.tracing.lightstep.accessToken', 'access token is required'],
    ['defaultConfig:\n  tracing:\n    sampling: 101', 'defaultConfig.tracing.sampling', 'between 0.0 and 100.0'],
    ['defaultConfig:\n  statsdUdpAddress: statsd', 'defaultConfig.statsdUdpAddress', 'missing port'],
    ['extensionProviders:\n  - name: a\n    prometheus: {}\n  - name: a\n    prometheus: {}', 'extensionProviders[1].name', 'Duplicate value: "a"'],
    ['extensionProviders:\n  - prometheus: {}', 'extensionProviders[0].name', 'Required value'],
    ['extensionProviders:\n  - name: x', 'extensionProviders[0]', 'one provider kind must be set'],
    ['extensionProviders:\n  - name: x\n    prometheus: {}\n    zipkin: {}', 'extensionProviders[0].zipkin', 'only one of'],
    ['extensionProviders:\n  - name: x\n    newRelic: {}', 'extensionProviders[0].newRelic', 'unknown field'],
    ['discoverySelectors: [{matchLabels: {"bad key!": x}}]', 'discoverySelectors[0].matchLabels[bad key!]', 'not a valid label key'],
    ['discoverySelectors: [{matchLabels: {env: "no spaces"}}]', 'discoverySelectors[0].matchLabels.env', 'not a valid label value'],
    ['discoverySelectors: [{matchExpressions: [{key: env, operator: In}]}]', 'discoverySelectors[0].matchExpressions[0].values', 'must be specified'],
    ['discoverySelectors: [{matchExpressions: [{key: env, operator: Exists, values: [a]}]}]', 'discoverySelectors[0].matchExpressions[0].values', 'may not be specified'],
    ['discoverySelectors: [{matchExpressions: [{key: env, operator: Maybe}]}]', 'discoverySelectors[0].matchExpressions[0].operator', 'Unsupported value'],
    ['discoverySelectors: [{matchExpressions: [{operator: Exists}]}]', 'discoverySelectors[0].matchExpressions[0].key', 'Required value'],
    ['discoverySelectors: [{matchLabel: {a: b}}]', 'discoverySelectors[0].matchLabel', 'unknown field'],
    ['defaultServiceExportTo: ["*", "."]', 'defaultServiceExportTo', 'cannot combine'],
    ['defaultDestinationRuleExportTo: ["Not_A_Namespace"]', 'defaultDestinationRuleExportTo[0]', 'namespace name'],
    ['serviceSettings: [{hosts: ["*.ok.svc", "bad_host.svc"]}]', 'serviceSettings[0].hosts[1]', 'RFC 1123'],
    ['localityLbSetting:\n  distribute: [{from: "a/*", to: {"b/*": 50}}]', 'localityLbSetting.distribute[0].to', 'must be 100'],
    ['localityLbSetting:\n  distribute: [{from: "a/*", to: {"b/*": 100}}]\n  failover: [{from: a, to: b}]', 'localityLbSetting.failover', "can not simultaneously"],
    ['localityLbSetting:\n  failover: [{from: a, to: a}]', 'localityLbSetting.failover[0].to', 'different regions'],
    ['meshMTLS:\n  ecdhCurves: [P-256]', 'meshMTLS.ecdhCurves', 'does not support ECDH'],
    ['meshMTLS:\n  minProtocolVersion: TLSV1_0', 'meshMTLS.minProtocolVersion', 'Unsupported value'],
    ['defaultHttpRetryPolicy:\n  attempts: -1', 'defaultHttpRetryPolicy.attempts', 'cannot be negative'],
  ];
  for (const [yaml, path, fragment] of cases) expectError(yaml, path, fragment);
});

test('all errors are reported at once, not just the first', () => {
  const paths = errorsOf('bogus: 1\ntrustDomain: ""\ndefaultConfig:\n  discoveryAddress: nope\n').map((e) => e.path);
  assert.deepEqual(paths.sort(), ['bogus', 'defaultConfig.discoveryAddress', 'trustDomain']);
});

test('YAML that does not parse is one error naming the source', () => {
  for (const text of ['a: [', 'a: 1\na: 2', 'a: 1\n---\nb: 2', '\t- x: {']) {
    const errors = errorsOf(text);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.path, '<document>');
    assert.match(errors[0]!.detail, /^test: mesh config/);
  }
});

test('a document that is not a mapping is rejected', () => {
  for (const text of ['- a\n- b', '42', '"just a string"', 'true']) {
    const errors = errorsOf(text);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.detail, /must be a YAML mapping/);
  }
});

test('input that is not text is an error, not an exception', () => {
  for (const input of [42, null, undefined, {}, ['a']]) {
    const r = parseMeshConfig(input as unknown as string, 'test');
    assert.ok(!r.ok && r.errors[0]!.path === '<document>');
  }
});

test('an alias bomb is rejected without expanding it', () => {
  const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 12; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
  const errors = errorsOf(bomb.join('\n'));
  assert.equal(errors[0]!.path, '<document>');
});

test('meshConfigFromConfigMap reads key mesh and defaults when it is absent', () => {
  const cm = (data?: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system' }, ...(data ? { data } : {}) });
  const withMesh = meshConfigFromConfigMap(cm({ mesh: 'trustDomain: corp.example\n', meshNetworks: 'networks: {}' }));
  assert.ok(withMesh.ok && withMesh.value.trustDomain === 'corp.example');
  const noKey = meshConfigFromConfigMap(cm({ meshNetworks: 'networks: {}' }));
  assert.ok(noKey.ok);
  assert.deepEqual(noKey.value, defaultMeshConfig());
  const noData = meshConfigFromConfigMap(cm());
  assert.ok(noData.ok && Object.isFrozen(noData.value));
  const storeShape = meshConfigFromConfigMap({ kind: 'ConfigMap', spec: { data: { mesh: 'rootNamespace: mesh-root' } } });
  assert.ok(storeShape.ok && storeShape.value.rootNamespace === 'mesh-root');
  const bad = meshConfigFromConfigMap(cm({ mesh: 'trustDomain: [x]' }));
  assert.ok(!bad.ok && bad.errors[0]!.path === 'trustDomain');
  const notString = meshConfigFromConfigMap(cm({ mesh: { trustDomain: 'x' } }));
  assert.ok(!notString.ok && notString.errors[0]!.path === 'data.mesh');
  const wrongKind = meshConfigFromConfigMap({ kind: 'Secret', data: {} });
  assert.ok(!wrongKind.ok && wrongKind.errors[0]!.path === 'kind');
  assert.ok(!meshConfigFromConfigMap('nope').ok);
});

test('property: arbitrary YAML text never throws and always yields a verdict', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (text) => {
      const r = parseMeshConfig(text, 'prop');
      assert.ok(r.ok ? typeof r.value.trustDomain === 'string' : r.errors.length > 0);
    }),
    { numRuns: 300 },
  );
});

const meshKeys = fc.constantFrom('trustDomain', 'defaultConfig', 'extensionProviders', 'discoverySelectors', 'connectTimeout', 'outboundTrafficPolicy', 'localityLbSetting', 'proxyMetadata', 'mode', 'name', 'matchExpressions', 'drainDuration', '__proto__', 'bogus');

test('property: arbitrary mesh-shaped documents never throw (rendered through YAML and through ConfigMaps)', () => {
  const value = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom<unknown>(null, true, 0, -1, 1.5, '', '10s', 'x:1', 'ALLOW_ANY', 'In'),
      fc.string({ maxLength: 8 }),
      fc.array(tie('node'), { maxLength: 3 }),
      fc.dictionary(meshKeys, tie('node'), { maxKeys: 4 }),
    ),
  })).node;
  fc.assert(
    fc.property(fc.dictionary(meshKeys, value, { maxKeys: 5 }), (doc) => {
      const text = JSON.stringify(doc);
      const r = parseMeshConfig(text, 'prop');
      assert.ok(r.ok || r.errors.length > 0);
      const viaCm = meshConfigFromConfigMap({ kind: 'ConfigMap', data: { mesh: text } });
      assert.equal(viaCm.ok, r.ok);
    }),
    { numRuns: 500 },
  );
});

test('property: arbitrary values never throw through buildMeshConfig or meshConfigFromConfigMap', () => {
  fc.assert(
    fc.property(fc.anything(), (value) => {
      const out = buildMeshConfig(value);
      assert.ok(out.result.ok || out.result.errors.length > 0);
      const cm = meshConfigFromConfigMap(value);
      assert.ok(cm.ok || cm.errors.length > 0);
      const cm2 = meshConfigFromConfigMap({ kind: 'ConfigMap', data: value });
      assert.ok(cm2.ok || cm2.errors.length > 0);
    }),
    { numRuns: 500 },
  );
});

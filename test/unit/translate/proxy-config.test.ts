/**
 * ProxyConfig as the listeners read it: PROXY_CONFIG from the node (else the mesh default),
 * gatewayTopology with its defaults, proxyHeaders per listener class as Istio derives them, and
 * wrong-typed metadata ignored rather than failing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import { parseProxy, type Proxy } from '../../../src/model/proxy.js';
import { gatewayTopologyOf, proxyConfigOf, proxyConfigScope, proxyHeadersOf } from '../../../src/translate/common/proxy-config.js';

function node(proxyConfig?: unknown): Proxy {
  const parsed = parseProxy({ id: 'router~10.0.0.5~gw-0.istio-system~istio-system.svc.cluster.local', metadata: { NAMESPACE: 'istio-system', ...(proxyConfig !== undefined ? { PROXY_CONFIG: proxyConfig } : {}) } });
  assert.ok(parsed.ok);
  return parsed.value;
}

test('gatewayTopology: defaults, the proxy\'s own values, and the mesh default when the proxy sent none', () => {
  const mesh = defaultMeshConfig();
  assert.deepEqual(gatewayTopologyOf(proxyConfigOf(node(), mesh)), { numTrustedProxies: 0, forwardClientCertDetails: 'SANITIZE_SET', proxyProtocol: false });
  const own = node({ gatewayTopology: { numTrustedProxies: 2, forwardClientCertDetails: 'APPEND_FORWARD', proxyProtocol: {} } });
  assert.deepEqual(gatewayTopologyOf(proxyConfigOf(own, mesh)), { numTrustedProxies: 2, forwardClientCertDetails: 'APPEND_FORWARD', proxyProtocol: true });
  const meshWide = { ...mesh, defaultConfig: { ...mesh.defaultConfig, gatewayTopology: { numTrustedProxies: 1 } } };
  assert.equal(gatewayTopologyOf(proxyConfigOf(node(), meshWide)).numTrustedProxies, 1);
  assert.equal(gatewayTopologyOf(proxyConfigOf(own, meshWide)).numTrustedProxies, 2, 'PROXY_CONFIG is already the merged config');
  assert.equal(gatewayTopologyOf({ gatewayTopology: { forwardClientCertDetails: 4 } }).forwardClientCertDetails, 'SANITIZE_SET', 'enum by number');
});

test('wrong-typed values are ignored', () => {
  assert.deepEqual(gatewayTopologyOf({ gatewayTopology: { numTrustedProxies: -1, forwardClientCertDetails: 'BOGUS', proxyProtocol: true } }), { numTrustedProxies: 0, forwardClientCertDetails: 'SANITIZE_SET', proxyProtocol: false });
  assert.deepEqual(gatewayTopologyOf({ gatewayTopology: 'x' }), { numTrustedProxies: 0, forwardClientCertDetails: 'SANITIZE_SET', proxyProtocol: false });
  assert.equal(proxyHeadersOf({ proxyHeaders: [] }, 'gateway').serverName, 'istio-envoy');
});

test('proxyHeaders: Istio\'s defaults per listener class, then each override', () => {
  assert.deepEqual(proxyHeadersOf({}, 'sidecar-inbound'), { serverName: 'istio-envoy', serverPassThrough: false, forwardClientCert: 'APPEND_FORWARD', includeAttemptCount: true, suppressDebugHeaders: false });
  assert.equal(proxyHeadersOf({}, 'sidecar-outbound').serverName, undefined, 'outbound keeps Envoy\'s "envoy"');
  const custom = proxyHeadersOf({ proxyHeaders: { server: { value: 'edge' }, requestId: { disabled: true }, attemptCount: { disabled: { value: true } }, envoyDebugHeaders: { disabled: true }, forwardedClientCert: 'SANITIZE', setCurrentClientCertDetails: { uri: true } } }, 'gateway');
  assert.deepEqual(custom, {
    serverName: 'edge', serverPassThrough: false, forwardClientCert: 'SANITIZE', includeAttemptCount: false, generateRequestId: false, suppressDebugHeaders: true,
    setCurrentClientCertDetails: { subject: false, cert: false, chain: false, dns: false, uri: true },
  });
  const off = proxyHeadersOf({ proxyHeaders: { server: { disabled: true } } }, 'sidecar-inbound');
  assert.equal(off.serverName, undefined);
  assert.equal(off.serverPassThrough, true);
});

test('the scope key follows gatewayTopology and proxyHeaders only', () => {
  assert.equal(proxyConfigScope(node()), '');
  const a = proxyConfigScope(node({ gatewayTopology: { numTrustedProxies: 1 }, concurrency: 2 }));
  const b = proxyConfigScope(node({ gatewayTopology: { numTrustedProxies: 1 }, concurrency: 4 }));
  const c = proxyConfigScope(node({ gatewayTopology: { numTrustedProxies: 2 } }));
  assert.equal(a, b);
  assert.notEqual(a, c);
});

test('generators key listeners by the proxy\'s ProxyConfig, so two proxies with different headers never share a cached LDS', async () => {
  const { createSidecarGenerator } = await import('../../../src/translate/sidecar/index.js');
  const { createGatewayGenerator } = await import('../../../src/translate/gateway/index.js');
  const { TypeUrl } = await import('../../../src/translate/type-urls.js');
  const mesh = defaultMeshConfig();
  const plain = node();
  const custom = node({ proxyHeaders: { server: { value: 'edge' } } });
  for (const gen of [createSidecarGenerator({ mesh }), createGatewayGenerator({ mesh })]) {
    assert.notEqual(gen.scopeKey(plain, TypeUrl.Listener, undefined), gen.scopeKey(custom, TypeUrl.Listener, undefined), gen.name);
    assert.notEqual(gen.scopeKey(plain, TypeUrl.RouteConfiguration, "80"), gen.scopeKey(custom, TypeUrl.RouteConfiguration, "80"), `${gen.name}: routes carry attemptCount`);
    assert.equal(gen.scopeKey(plain, TypeUrl.Cluster, undefined), gen.scopeKey(custom, TypeUrl.Cluster, undefined), `${gen.name}: clusters do not depend on it`);
  }
});

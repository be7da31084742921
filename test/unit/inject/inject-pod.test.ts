import { test } from 'node:test';
import assert from 'node:assert/strict';
import { injectPod } from '../../../src/inject/inject-pod.js';
import { containersOf, isObject } from '../../../src/inject/k8s.js';
import { iptablesArgs, excludeInboundPort } from '../../../src/inject/sidecar-template.js';
import { buildParams } from '../../../src/inject/params.js';
import { buildValues } from '../../../src/inject/values.js';
import { applyPatch } from '../../golden/inject/apply-patch.js';
import { makeContext, makePod } from './fixtures.js';

test('excludeInboundPort appends the status port unless it is already excluded or 0', () => {
  assert.equal(excludeInboundPort('15020', ''), '15020');
  assert.equal(excludeInboundPort('15020', '8080, 9090'), '8080,9090,15020');
  assert.equal(excludeInboundPort('15020', '15020,8080'), '15020,8080');
  assert.equal(excludeInboundPort('0', '8080'), '8080');
});

test('istio-iptables flags follow the annotations', () => {
  const pod = makePod({}, {
    'traffic.sidecar.istio.io/excludeInboundPorts': '8080',
    'traffic.sidecar.istio.io/excludeOutboundPorts': '3306',
    'traffic.sidecar.istio.io/excludeInterfaces': 'eth1',
    'sidecar.istio.io/interceptionMode': 'TPROXY',
  });
  const p = buildParams(pod, makeContext());
  assert.ok(p.ok);
  assert.deepEqual(iptablesArgs(p.value), [
    'istio-iptables', '-p', '15001', '-z', '15006', '-u', '1337', '-m', 'TPROXY', '-i', '*', '-x', '', '-b', '*',
    '-d', '15090,15021,8080,15020', '-o', '3306', '-c', 'eth1', '--log_output_level=default:info',
  ]);
});

test('values type errors name the field', () => {
  const { issues } = buildValues({ global: { proxy: { statusPort: 'abc', privileged: 'yes' }, hub: 3, imagePullSecrets: 'x' } }, 'values.');
  assert.deepEqual(issues.map((i) => i.path).sort(), ['values.global.imagePullSecrets', 'values.global.proxy.privileged', 'values.global.proxy.statusPort']);
});

test('a bad proxy.istio.io/config annotation fails with its path', () => {
  const r = injectPod(makePod({}, { 'proxy.istio.io/config': 'concurrency: many' }), makeContext());
  assert.ok(!r.ok);
  assert.match(r.errors[0]!.path, /^metadata\.annotations\[proxy\.istio\.io\/config\]/);
});

/** A tiny deterministic PRNG so the property test is reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const JUNK: unknown[] = [null, 0, -1, 1.5, '', 'x', true, [], {}, [1, 'a'], { name: 3 }, { name: 'istio-proxy' }, { a: { b: [] } }];

function arbitraryPod(next: () => number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const container = (): unknown => (next() < 0.7 ? {
    name: `c${Math.floor(next() * 4)}`,
    image: pick(['img', 'auto', 7]),
    ports: next() < 0.5 ? [{ containerPort: Math.floor(next() * 70000), name: pick(['http', '', 5]) }, pick(JUNK)] : pick(JUNK),
    readinessProbe: pick([{ httpGet: { port: pick(['http', 80, 'missing', 15020]) } }, { tcpSocket: { port: 80 } }, { grpc: { port: 9 } }, JUNK[2], null]),
  } : pick(JUNK));
  const annotations = pick([{}, JUNK[9], { 'sidecar.istio.io/interceptionMode': pick(['TPROXY', 'NONE', 'X']) }, { 'inject.istio.io/templates': pick(['gateway', 'grpc-agent', 'grpc-simple', 'sidecar', '']) },
    { 'sidecar.istio.io/nativeSidecar': pick(['true', 'false', 'maybe']) }, { 'proxy.istio.io/config': pick(['{', 'concurrency: 1', '[1]']) }, { 'prometheus.io/port': '1' }]);
  return {
    metadata: pick([{ name: 'p', labels: pick([{}, { app: 'a' }, JUNK[9]]), annotations }, JUNK[3], undefined]),
    spec: pick([{ containers: Array.from({ length: Math.floor(next() * 3) }, container), initContainers: pick([undefined, [container()], JUNK[1]]), volumes: pick([undefined, [{ name: 'istio-data' }], 'v']) }, JUNK[10], undefined]),
  };
}

test('property: arbitrary pods never crash injection; the result has exactly one istio-proxy and at most one istio-init', () => {
  const next = rng(42);
  let injected = 0;
  for (let i = 0; i < 400; i++) {
    const input = arbitraryPod(next);
    const r = injectPod(input as never, makeContext({}, { nativeSidecars: next() < 0.3 }));
    if (!r.ok) {
      assert.ok(r.errors.length > 0 && r.errors.every((e) => typeof e.path === 'string' && e.detail.length > 0));
      continue;
    }
    if (!r.value.injected) { assert.deepEqual(r.value.patch, []); continue; }
    injected++;
    const spec = isObject(r.value.pod.spec) ? r.value.pod.spec : {};
    const all = [...containersOf(spec.containers), ...containersOf(spec.initContainers)].map((c) => c.name);
    const templates = String((r.value.pod.metadata as { annotations?: Record<string, string> }).annotations?.['inject.istio.io/templates'] ?? 'sidecar');
    if (templates !== 'grpc-simple') assert.equal(all.filter((n) => n === 'istio-proxy').length, 1, JSON.stringify(input));
    assert.ok(all.filter((n) => n === 'istio-init').length <= 1);
    assert.deepEqual(applyPatch(input, r.value.patch), r.value.pod);
  }
  assert.ok(injected > 50, `only ${injected} pods were injected; the generator is too narrow`);
});

// The example mesh `npm start` loads must be valid and self-consistent: every document passes
// the validator, and the objects refer to each other correctly (hosts, subsets, pods, nodes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocuments } from '../../../src/sources/file/parse-documents.js';
import { createValidator } from '../../../src/model/validation/validate.js';
import { renderIssue } from '../../../src/lib/issue.js';
import type { ConfigObject } from '../../../src/model/config.js';

const EXAMPLE_DIR = fileURLToPath(new URL('../../../../examples/bookinfo', import.meta.url));

type Spec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function loadExample(): ConfigObject<Spec>[] {
  const validator = createValidator();
  const objects: ConfigObject<Spec>[] = [];
  const problems: string[] = [];
  const files = readdirSync(EXAMPLE_DIR).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  assert.ok(files.length >= 5, `expected the example split into several files, found ${files.join(', ')}`);
  for (const file of files) {
    const parsed = parseDocuments(readFileSync(join(EXAMPLE_DIR, file), 'utf8'));
    for (const p of parsed.problems) problems.push(`${file}#${p.index}: ${p.message}`);
    for (const doc of parsed.documents) {
      const out = validator.validate(doc.value, { source: `file:${file}#${doc.index}` });
      for (const e of out.errors) problems.push(`${file}#${doc.index} ${out.ref.kind}/${out.ref.name}: ${renderIssue(e)}`);
      if (out.object) objects.push(out.object as ConfigObject<Spec>);
    }
  }
  assert.deepEqual(problems, [], 'every example document must validate');
  return objects;
}

const objects = loadExample();
const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
const named = (kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind} ${name} should exist`);
  return found;
};

test('the example holds the expected bookinfo objects', () => {
  assert.deepEqual(ofKind('Service').filter((s) => s.metadata.namespace === 'default').map((s) => s.metadata.name).sort(), ['details', 'productpage', 'ratings', 'reviews']);
  assert.deepEqual(
    ofKind('Pod').filter((p) => p.metadata.namespace === 'default').map((p) => `${p.metadata.labels.app}-${p.metadata.labels.version}`).sort(),
    ['details-v1', 'productpage-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3'],
  );
  assert.deepEqual(ofKind('ServiceAccount').filter((s) => s.metadata.namespace === 'default').map((s) => s.metadata.name).sort(), [
    'bookinfo-details', 'bookinfo-productpage', 'bookinfo-ratings', 'bookinfo-reviews',
  ]);
  assert.equal(ofKind('Node').length, 2);
  named('Gateway', 'bookinfo-gateway');
  assert.ok(ofKind('VirtualService').length >= 3);
  assert.deepEqual(ofKind('DestinationRule').map((d) => d.metadata.name).sort(), ['details', 'productpage', 'ratings', 'reviews']);
});

test('services expose port 9080 named http and select running pods', () => {
  for (const svc of ofKind('Service').filter((s) => s.metadata.namespace === 'default')) {
    assert.deepEqual(svc.spec.spec.ports.map((p: Spec) => [p.name, p.port]), [['http', 9080]]);
    const selector: Record<string, string> = svc.spec.spec.selector;
    const pods = ofKind('Pod').filter((p) => Object.entries(selector).every(([k, v]) => p.metadata.labels[k] === v));
    assert.ok(pods.length > 0, `service ${svc.metadata.name} selects no pod`);
  }
});

test('pods are running, ready, on a zoned node, with a known service account and a unique 10.244 IP', () => {
  const ips = new Set<string>();
  for (const pod of ofKind('Pod')) {
    const { spec, status } = pod.spec;
    assert.equal(status.phase, 'Running');
    assert.match(status.podIP, /^10\.244\.\d+\.\d+$/);
    assert.ok(!ips.has(status.podIP), `duplicate pod IP ${status.podIP}`);
    ips.add(status.podIP);
    assert.ok(status.conditions.some((c: Spec) => c.type === 'Ready' && c.status === 'True'));
    const node = named('Node', spec.nodeName);
    assert.ok(node.metadata.labels['topology.kubernetes.io/region'] && node.metadata.labels['topology.kubernetes.io/zone']);
    const sa = objects.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === spec.serviceAccountName && o.metadata.namespace === pod.metadata.namespace);
    assert.ok(sa, `pod ${pod.metadata.name} uses unknown service account ${spec.serviceAccountName}`);
  }
});

test('the ingress route sends the bookinfo paths to productpage through the gateway', () => {
  const vs = named('VirtualService', 'bookinfo').spec;
  assert.deepEqual(vs.gateways, ['bookinfo-gateway']);
  const matches = vs.http[0].match.map((m: Spec) => Object.entries(m.uri)[0]!.join(':'));
  assert.deepEqual(matches, ['exact:/productpage', 'prefix:/static', 'exact:/login', 'exact:/logout', 'prefix:/api/v1/products']);
  assert.deepEqual(vs.http[0].route[0].destination, { host: 'productpage', port: { number: 9080 } });
  const gw = named('Gateway', 'bookinfo-gateway').spec;
  assert.deepEqual(gw.selector, { istio: 'ingressgateway' });
  assert.deepEqual(gw.servers[0].port, { number: 80, name: 'http', protocol: 'HTTP' });
  assert.ok(ofKind('Pod').some((p) => p.metadata.labels.istio === 'ingressgateway'), 'a gateway pod matches the selector');
});

test('reviews has a header match for jason and a 90/10 canary split', () => {
  const http = named('VirtualService', 'reviews').spec.http;
  assert.deepEqual(http[0].match[0].headers, { 'end-user': { exact: 'jason' } });
  assert.equal(http[0].route[0].destination.subset, 'v2');
  assert.deepEqual(http[1].route.map((r: Spec) => [r.destination.subset, r.weight]), [['v1', 90], ['v3', 10]]);
});

test('every routed host is a service and every routed subset is defined by a DestinationRule with pods behind it', () => {
  for (const vs of ofKind('VirtualService')) {
    for (const route of vs.spec.http.flatMap((h: Spec) => h.route)) {
      const { host, subset } = route.destination;
      named('Service', host);
      if (subset === undefined) continue;
      const dr = named('DestinationRule', host).spec;
      const def = dr.subsets.find((s: Spec) => s.name === subset);
      assert.ok(def, `${vs.metadata.name} routes to undefined subset ${host}/${subset}`);
      const pods = ofKind('Pod').filter((p) => p.metadata.labels.app === host && Object.entries(def.labels).every(([k, v]) => p.metadata.labels[k] === v));
      assert.ok(pods.length > 0, `subset ${host}/${subset} selects no pod`);
    }
  }
  assert.ok(ofKind('DestinationRule').some((d) => d.spec.trafficPolicy?.tls?.mode === 'ISTIO_MUTUAL'));
});

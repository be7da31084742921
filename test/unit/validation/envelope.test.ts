import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createValidator } from '../../../src/model/validation/validate.js';
import { renderIssue } from '../../../src/lib/issue.js';

const validator = createValidator();

function errorsOf(doc: unknown): string[] {
  return validator.validate(doc).errors.map(renderIssue);
}

test('accepted API versions: v1, v1beta1 and v1alpha3 are aliases for networking kinds', () => {
  for (const v of ['v1', 'v1beta1', 'v1alpha3']) {
    const out = validator.validate({ apiVersion: `networking.istio.io/${v}`, kind: 'Gateway', metadata: { name: 'gw' }, spec: { servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] } });
    assert.deepEqual(out.errors, [], v);
    assert.equal(out.object?.apiVersion, `networking.istio.io/${v}`);
  }
  assert.match(errorsOf({ apiVersion: 'security.istio.io/v1alpha3', kind: 'PeerAuthentication', metadata: { name: 'x' }, spec: {} })[0]!, /^apiVersion: Unsupported value/);
  assert.match(errorsOf({ apiVersion: 'v1', kind: 'VirtualService', metadata: { name: 'x' }, spec: {} })[0]!, /apiVersion.*networking\.istio\.io\/<version>/);
});

test('metadata rules name the field and the value', () => {
  const base = { apiVersion: 'v1', kind: 'Service', spec: {} };
  assert.deepEqual(errorsOf({ ...base, metadata: {} }), ['metadata.name: Required value: name or generateName is required']);
  assert.match(errorsOf({ ...base, metadata: { name: 'UPPER' } })[0]!, /^metadata\.name: Invalid value: "UPPER": a lowercase RFC 1123 subdomain/);
  assert.match(errorsOf({ ...base, metadata: { name: 'x', namespace: 'a.b' } })[0]!, /^metadata\.namespace: Invalid value: "a\.b"/);
  assert.match(errorsOf({ ...base, metadata: { name: 'x', labels: { app: 3 } } })[0]!, /^metadata\.labels\.app: Invalid value: 3: value must be a string/);
  assert.match(errorsOf({ ...base, metadata: { name: 'x', labels: { 'Bad Key': 'v' } } })[0]!, /^metadata\.labels\[Bad Key\]: Invalid value/);
  assert.match(errorsOf({ ...base, metadata: { name: 'x', annotations: ['a'] } })[0]!, /^metadata\.annotations: Invalid value: "array"/);
  assert.match(errorsOf({ ...base, metadata: 'x' })[0]!, /^metadata: Invalid value: "x": must be a mapping/);
});

test('defaults: namespace from the caller, none for cluster-scoped kinds; deletionTimestamp kept', () => {
  const pod = validator.validate({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', deletionTimestamp: '2026-01-01T00:00:00Z' }, spec: {} }, { defaultNamespace: 'team-a' });
  assert.equal(pod.object?.metadata.namespace, 'team-a');
  assert.equal(pod.object?.metadata.deletionTimestamp, '2026-01-01T00:00:00Z');
  const node = validator.validate({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', namespace: 'ignored' } });
  assert.equal(node.object?.metadata.namespace, '');
});

test('validated objects are deep-frozen copies', () => {
  const raw = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } };
  const out = validator.validate(raw);
  assert.ok(out.object && Object.isFrozen(out.object.spec));
  raw.spec.ports[0]!.port = 81;
  assert.equal((out.object.spec as { spec: { ports: { port: number }[] } }).spec.ports[0]!.port, 80);
});

test('never throws on hostile documents', () => {
  const hostile: unknown[] = [null, undefined, 42, 'str', [], [{}], { kind: null }, { apiVersion: {}, kind: [] }, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x', labels: null } }];
  for (const doc of hostile) assert.ok(validator.validate(doc).errors.length >= 0);
  assert.match(errorsOf(null)[0]!, /^<document>: Invalid value/);
});

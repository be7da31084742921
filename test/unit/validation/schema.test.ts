/**
 * The CRD schema engine on small inline CRDs: OpenAPI checks worded like the API server,
 * strict unknown fields, list-type uniqueness, CEL rules (RE2, BigInt ints, Kubernetes
 * library functions), transition rules skipped, and never throwing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSchemaValidator, type SchemaValidator } from '../../../src/model/validation/schema/index.js';
import { renderIssue } from '../../../src/lib/issue.js';
import { kindInfo } from '../../../src/model/kinds.js';

const SPEC_SCHEMA = `
            type: object
            x-kubernetes-validations:
            - rule: '!has(self.b) || has(self.a)'
              message: b requires a
            - rule: self == oldSelf
              message: a transition rule must not run
            properties:
              a: {type: string, enum: [X, Y]}
              b: {x-kubernetes-int-or-string: true}
              n:
                type: integer
                minimum: 0
                x-kubernetes-validations:
                - {rule: 'type(self) == int && self < 10', message: n must be below 10}
              d: {type: number, maximum: 1.5, nullable: true}
              name: {type: string, pattern: '^[a-z]+$', maxLength: 5}
              code: {type: string, pattern: '^[0-9]+$'}
              ci:
                type: string
                x-kubernetes-validations:
                - {rule: 'self.matches("(?i)^abc$")', message: must be abc in any case}
              url:
                type: string
                x-kubernetes-validations:
                - {rule: 'isURL(self) && url(self).getScheme() == "https" && url(self).getHost() == "example.com"', message: must be https://example.com}
              missing:
                type: object
                properties: {x: {type: string}}
                x-kubernetes-validations:
                - {rule: 'self.y == 1', message: reads an absent field}
              broken:
                type: string
                x-kubernetes-validations:
                - {rule: 'self +', message: does not compile}
              dynamic:
                type: string
                x-kubernetes-validations:
                - {rule: 'self.size() < 3', messageExpression: '"too long: " + self'}
              tags:
                type: array
                maxItems: 3
                x-kubernetes-list-type: set
                items: {type: string}
              ports:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name]
                items:
                  type: object
                  required: [name]
                  properties: {name: {type: string}, number: {type: integer}}
              labels:
                type: object
                additionalProperties:
                  type: string
                  x-kubernetes-validations:
                  - {rule: '!self.contains("*")', message: no wildcard values}
              config:
                type: object
                x-kubernetes-preserve-unknown-fields: true
              target:
                type: object
                required: [name]
                properties: {name: {type: string}, kind: {type: string}}`;

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: peerauthentications.security.istio.io}
spec:
  group: security.istio.io
  names: {kind: PeerAuthentication, listKind: PeerAuthenticationList, plural: peerauthentications, singular: peerauthentication}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema: &schema
        type: object
        required: [spec]
        properties:
          spec:${SPEC_SCHEMA}
          status: {type: object, x-kubernetes-preserve-unknown-fields: true}
  - name: v1beta1
    served: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema: *schema
`;

function withCrdDir(files: Record<string, string>): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'istiod-ts-crds-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const fixture = withCrdDir({ 'peerauthentications.security.istio.io.yaml': CRD, 'README.txt': 'not a CRD' });
const validator: SchemaValidator = createSchemaValidator({ crdDir: fixture.dir });
fixture.cleanup();
const PA = kindInfo('PeerAuthentication');

function check(spec: unknown, extra: Record<string, unknown> = {}, version = 'v1'): string[] {
  const doc = { apiVersion: `security.istio.io/${version}`, kind: 'PeerAuthentication', metadata: { name: 'x' }, spec, ...extra };
  return validator.validate(PA, doc).map(renderIssue);
}

test('the inline CRD compiles without problems', () => {
  assert.deepEqual(validator.problems, []);
});

test('a valid document has no issues, in every served version', () => {
  const spec = { a: 'X', b: 1, n: 3, d: null, name: 'abc', ci: 'AbC', url: 'https://example.com/x', tags: ['p', 'q'], ports: [{ name: 'a', number: 1 }], labels: { k: 'v' }, config: { any: { thing: [1] } }, dynamic: 'ab' };
  assert.deepEqual(check(spec), []);
  assert.deepEqual(check(spec, {}, 'v1beta1'), []);
  assert.deepEqual(check({ b: 'http', a: 'Y' }), []);
});

test('unknown fields are errors, with a suggestion for likely typos', () => {
  assert.deepEqual(check({ nmae: 'abc' }), ['spec.nmae: Forbidden: unknown field "spec.nmae": not declared in the PeerAuthentication schema; did you mean "name"?']);
  assert.deepEqual(check({ target: { name: 'a', zzz: 1 } }), ['spec.target.zzz: Forbidden: unknown field "spec.target.zzz": not declared in the PeerAuthentication schema']);
  assert.deepEqual(check({}, { spce: {} }), ['spce: Forbidden: unknown field "spce": not declared in the PeerAuthentication schema; did you mean "spec"?']);
});

test('envelope fields and preserve-unknown-fields subtrees are not unknown', () => {
  assert.deepEqual(check({ config: { a: { b: [null, 1.5] } } }, { status: { anything: true } }), []);
});

test('enum: Unsupported value listing the supported values', () => {
  assert.deepEqual(check({ a: 'BLAH' }), ['spec.a: Unsupported value: "BLAH": supported values: "X", "Y"']);
});

test('int-or-string accepts both and rejects other types', () => {
  assert.deepEqual(check({ a: 'X', b: 80 }), []);
  assert.deepEqual(check({ a: 'X', b: 'http' }), []);
  assert.deepEqual(check({ a: 'X', b: true }), ['spec.b: Invalid value: "boolean": spec.b in body must be of type integer,string: "boolean"']);
});

test('required, type, bounds, length, pattern and item counts read like the API server', () => {
  assert.deepEqual(check({ target: { kind: 'K' } }), ['spec.target.name: Required value']);
  assert.deepEqual(check(undefined), ['spec: Required value']);
  assert.deepEqual(check(null), ['spec: Invalid value: "null": spec in body must be of type object: "null"']);
  assert.deepEqual(check({ n: -1 }), ['spec.n: Invalid value: -1: spec.n in body should be greater than or equal to 0']);
  assert.deepEqual(check({ d: 2 }), ['spec.d: Invalid value: 2: spec.d in body should be less than or equal to 1.5']);
  assert.deepEqual(check({ n: 1.5 }), ['spec.n: Invalid value: "number": spec.n in body must be of type integer: "number"']);
  assert.deepEqual(check({ name: 'abcdef' }), ['spec.name: Too long: "abcdef": spec.name in body should be at most 5 chars long']);
  assert.deepEqual(check({ tags: ['a', 'b', 'c', 'd'] }), ['spec.tags: Too many: 4: must have at most 3 items']);
});

test('each pattern is checked on its own (patterns are cached by source, not shared)', () => {
  assert.deepEqual(check({ name: 'abc', code: '123' }), []);
  assert.deepEqual(check({ name: 'ABC', code: 'x' }), [
    "spec.name: Invalid value: \"ABC\": spec.name in body should match '^[a-z]+$'",
    "spec.code: Invalid value: \"x\": spec.code in body should match '^[0-9]+$'",
  ]);
});

test('list-type map and set reject duplicates', () => {
  assert.deepEqual(check({ ports: [{ name: 'a', number: 1 }, { name: 'a', number: 2 }] }), ['spec.ports[1]: Duplicate value: "a"']);
  assert.deepEqual(check({ tags: ['x', 'y', 'x'] }), ['spec.tags[2]: Duplicate value: "x"']);
});

test('CEL rules report at their location with the JSON type of self', () => {
  assert.deepEqual(check({ b: 1 }), ['spec: Invalid value: "object": b requires a']);
  assert.deepEqual(check({ n: 12 }), ['spec.n: Invalid value: "integer": n must be below 10']);
  assert.deepEqual(check({ labels: { 'app.kubernetes.io/name': 'a*' } }), ['spec.labels[app.kubernetes.io/name]: Invalid value: "string": no wildcard values']);
  assert.deepEqual(check({ dynamic: 'abcd' }), ['spec.dynamic: Invalid value: "string": too long: abcd']);
});

test('CEL regular expressions run on RE2 and the URL library works', () => {
  assert.deepEqual(check({ ci: 'ABC' }), []);
  assert.deepEqual(check({ ci: 'abd' }), ['spec.ci: Invalid value: "string": must be abc in any case']);
  assert.deepEqual(check({ url: 'http://example.com' }), ['spec.url: Invalid value: "string": must be https://example.com']);
  assert.deepEqual(check({ url: 'not a url' }), ['spec.url: Invalid value: "string": must be https://example.com']);
});

test('a rule that fails to evaluate is an issue, not an exception', () => {
  const issues = check({ missing: { x: 'a' } });
  assert.equal(issues.length, 1);
  assert.match(issues[0] as string, /^spec\.missing: Invalid value: "object": rule evaluation error: reads an absent field: /);
});

test('a rule that does not compile is reported where it applies', () => {
  const issues = check({ broken: 'x' });
  assert.equal(issues.length, 1);
  assert.match(issues[0] as string, /^spec\.broken: Internal error: validation rule "self \+" does not compile/);
});

test('a kind without a loaded CRD gets a warning, not a pass in silence', () => {
  const doc = { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'x' }, spec: {} };
  const issues = validator.validate(kindInfo('AuthorizationPolicy'), doc);
  assert.equal(issues.length, 1);
  assert.equal(issues[0]?.severity, 'warning');
  assert.match(issues[0]?.detail ?? '', /no CRD schema for AuthorizationPolicy/);
});

test('files that are not CRDs are reported as problems, and a missing directory too', () => {
  const dir = withCrdDir({ 'bad.yaml': 'kind: ConfigMap\n', 'broken.yaml': 'a: [\n' });
  try {
    const v = createSchemaValidator({ crdDir: dir.dir });
    assert.equal(v.problems.length, 2);
  } finally {
    dir.cleanup();
  }
  const missing = createSchemaValidator({ crdDir: join(tmpdir(), 'istiod-ts-no-such-dir') });
  assert.match(missing.problems[0] ?? '', /cannot read CRD directory/);
});

test('odd inputs never throw', () => {
  for (const spec of [[], 'x', 1, true, { ports: 'x' }, { ports: [null, 1, 'a'] }, { labels: [] }, { n: 1e300 }, { ['__proto__']: 1 }]) {
    assert.ok(Array.isArray(check(spec)));
  }
});

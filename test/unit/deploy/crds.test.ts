// crds/ must be what `kubectl apply -f crds/` accepts: only apiextensions.k8s.io/v1 CRDs, each
// with structural schemas, one per Istio kind the model validates, with the model's names and
// versions. The structural checker itself is tested against one violation of each rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { KINDS } from '../../../src/model/kinds.js';
import { checkCrd } from '../../helpers/crd-structural-crd.js';
import { checkStructuralSchema } from '../../helpers/crd-structural.js';

const CRD_DIR = fileURLToPath(new URL('../../../../crds', import.meta.url));
type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const files = readdirSync(CRD_DIR).sort();
const crds: { file: string; doc: Doc }[] = files.filter((f) => /\.ya?ml$/.test(f)).flatMap((file) =>
  parseAllDocuments(readFileSync(join(CRD_DIR, file), 'utf8')).map((d) => {
    assert.deepEqual(d.errors, [], `${file} must be valid YAML`);
    return { file, doc: d.toJS({ maxAliasCount: 1000 }) as Doc };
  }),
);

test('crds/ holds only YAML CustomResourceDefinitions, one per file, named after the CRD', () => {
  assert.deepEqual(files.filter((f) => !/\.ya?ml$/.test(f)), [], 'kubectl apply -f crds/ reads every file');
  for (const { file, doc } of crds) {
    assert.ok(doc !== null && doc !== undefined, `${file}: empty document`);
    assert.equal(doc.kind, 'CustomResourceDefinition', file);
    assert.equal(file, `${doc.metadata.name}.yaml`);
  }
  assert.equal(new Set(crds.map((c) => c.file)).size, crds.length, 'one CRD per file');
});

test('every CRD is a valid apiextensions.k8s.io/v1 object with structural schemas', () => {
  for (const { file, doc } of crds) assert.deepEqual(checkCrd(doc), [], file);
});

test('every Istio kind the model validates has a CRD with the same group, plural, versions and storage version', () => {
  const byName = new Map(crds.map(({ doc }) => [doc.metadata.name as string, doc]));
  const istioKinds = KINDS.filter((k) => k.istio);
  for (const info of istioKinds) {
    const crd = byName.get(`${info.plural}.${info.group}`);
    assert.ok(crd, `no CRD for ${info.kind} (${info.plural}.${info.group})`);
    assert.equal(crd.spec.names.kind, info.kind);
    assert.equal(crd.spec.scope, info.namespaced ? 'Namespaced' : 'Cluster');
    const versions = crd.spec.versions as Doc[];
    assert.deepEqual(versions.map((v) => v.name).sort(), [...info.versions].sort(), `${info.kind} versions`);
    assert.equal(versions.find((v) => v.storage)?.name, info.versions[0], `${info.kind} storage version`);
    for (const v of versions) {
      assert.equal(v.served, true, `${info.kind} ${v.name} served`);
      // Istio serves every kind with a status subresource; istiod writes validation messages there.
      assert.deepEqual(v.subresources, { status: {} }, `${info.kind} ${v.name} status subresource`);
    }
  }
  assert.equal(crds.length, istioKinds.length, 'no CRD for a kind the model does not know');
});

// --- the checker catches each rule it models ----------------------------------------------------

const obj = (properties: Doc, extra: Doc = {}): Doc => ({ type: 'object', properties, ...extra });
const violations: [string, Doc, RegExp][] = [
  ['missing type at the root', { properties: {} }, /openAPIV3Schema\.type: must not be empty at the root/],
  ['root not an object', { type: 'string' }, /must be object at the root/],
  ['missing type on a field', obj({ a: { description: 'x' } }), /properties\[a\]\.type: must not be empty for specified object fields/],
  ['missing type on items', obj({ a: { type: 'array', items: {} } }), /properties\[a\]\.items\.type: must not be empty for specified array items/],
  ['missing type under additionalProperties', obj({ a: { type: 'object', additionalProperties: {} } }), /additionalProperties\.type: must not be empty/],
  ['array without items', obj({ a: { type: 'array' } }), /properties\[a\]\.items: must be specified/],
  ['items as a list', obj({ a: { type: 'array', items: [{ type: 'string' }] } }), /must be a schema object and not an array/],
  ['unknown type', obj({ a: { type: 'map' } }), /unsupported value "map"/],
  ['type null', obj({ a: { type: 'null' } }), /cannot be "null"/],
  ['type inside anyOf', obj({ a: { type: 'string', anyOf: [{ type: 'string', minLength: 1 }] } }), /anyOf\[0\]\.type: must be empty to be structural/],
  ['description inside allOf', obj({ a: { type: 'string', allOf: [{ description: 'd' }] } }), /allOf\[0\]\.description: must be empty/],
  ['default inside oneOf', obj({ a: { type: 'string', oneOf: [{ default: 'x' }] } }), /oneOf\[0\]\.default: must be empty/],
  ['nullable inside not', obj({ a: { type: 'string', not: { nullable: true } } }), /not\.nullable: must be empty/],
  ['additionalProperties inside anyOf', obj({ a: { type: 'object', anyOf: [{ additionalProperties: { type: 'string' } }] } }), /anyOf\[0\]\.additionalProperties: must be empty/],
  ['x-kubernetes-validations inside allOf', obj({ a: { type: 'string', allOf: [{ 'x-kubernetes-validations': [{ rule: 'true' }] }] } }), /allOf\[0\]\.x-kubernetes-validations: must be empty/],
  ['junctor field not in the core', obj({ a: { type: 'object', properties: { b: { type: 'string' } }, oneOf: [{ required: ['b'] }, { properties: { c: { minLength: 1 } } }] } }), /oneOf\[1\]\.properties\[c\]: specifies a value the structural schema does not/],
  ['metadata in a junctor', obj({ a: { type: 'object', anyOf: [{ properties: { metadata: {} } }] } }), /must not be specified in a nested context/],
  ['properties with an additionalProperties schema', obj({ a: { type: 'object', properties: { b: { type: 'string' } }, additionalProperties: { type: 'string' } } }), /mutually exclusive/],
  ['additionalProperties false', obj({ a: { type: 'object', additionalProperties: false } }), /cannot be set to false/],
  ['additionalProperties at the root', { type: 'object', additionalProperties: { type: 'string' } }, /must not be used at the root/],
  ['metadata restricting more than name', obj({ metadata: obj({ labels: { type: 'object' } }) }), /properties\[metadata\]: must not specify anything other than name and generateName/],
  ['metadata with a description', obj({ metadata: { type: 'object', description: 'd' } }), /properties\[metadata\]: must not specify/],
  ['kind not a string', obj({ kind: { type: 'integer' } }), /properties\[kind\]\.type: must be string/],
  ['uniqueItems', obj({ a: { type: 'array', items: { type: 'string' }, uniqueItems: true } }), /uniqueItems: cannot be set to true/],
  ['$ref', obj({ a: { type: 'object', $ref: '#/x' } }), /\$ref: not supported/],
  ['unknown keyword', obj({ a: { type: 'string', minLenght: 1 } }), /minLenght: unknown field/],
  ['preserve-unknown-fields false', obj({ a: { type: 'object', 'x-kubernetes-preserve-unknown-fields': false } }), /must be true or undefined/],
  ['int-or-string with preserve-unknown-fields', obj({ a: { 'x-kubernetes-int-or-string': true, 'x-kubernetes-preserve-unknown-fields': true } }), /must be false if x-kubernetes-int-or-string/],
  ['validation rule not a string', obj({ a: { type: 'string', 'x-kubernetes-validations': [{ rule: 42 }] } }), /x-kubernetes-validations\[0\]\.rule: must be a non-empty string/],
  ['validation rule with an unknown reason', obj({ a: { type: 'string', 'x-kubernetes-validations': [{ rule: 'true', reason: 'Bad' }] } }), /reason: unsupported value/],
  ['list-type map without keys', obj({ a: { type: 'array', items: obj({ k: { type: 'string' } }), 'x-kubernetes-list-type': 'map' } }), /list-map-keys: must not be empty/],
  ['required naming an unspecified field', obj({ a: obj({ b: { type: 'string' } }, { required: ['c'] }) }), /names unspecified field "c"/],
];

for (const [name, schema, expected] of violations) {
  test(`the structural check rejects ${name}`, () => {
    const found = checkStructuralSchema(schema);
    assert.ok(found.some((v) => expected.test(v)), `expected ${expected} among ${JSON.stringify(found)}`);
  });
}

test('the structural check accepts what Kubernetes allows: int-or-string patterns, preserve-unknown-fields, value validations in junctors', () => {
  const schema = obj({
    metadata: obj({ name: { type: 'string', maxLength: 63 } }),
    port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
    target: { 'x-kubernetes-int-or-string': true, allOf: [{ anyOf: [{ type: 'integer' }, { type: 'string' }] }, { pattern: '^[0-9a-z]+$' }] },
    free: { 'x-kubernetes-preserve-unknown-fields': true },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    spec: obj({ a: { type: 'string' }, b: { type: 'string' } }, {
      oneOf: [{ not: { anyOf: [{ required: ['a'] }, { required: ['b'] }] } }, { required: ['a'] }, { required: ['b'] }],
      'x-kubernetes-validations': [{ rule: 'has(self.a) || has(self.b)', message: 'a or b', reason: 'FieldValueRequired' }],
    }),
    list: { type: 'array', items: obj({ k: { type: 'string' } }, { required: ['k'] }), 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'] },
  });
  assert.deepEqual(checkStructuralSchema(schema), []);
});

test('the CRD check rejects wrong names, two storage versions, a missing schema and status without a status field', () => {
  const version = (name: string, storage: boolean, schema: Doc | undefined): Doc => ({
    name, served: true, storage, subresources: { status: {} }, ...(schema ? { schema: { openAPIV3Schema: schema } } : {}),
  });
  const bad = {
    apiVersion: 'apiextensions.k8s.io/v1beta1', kind: 'CustomResourceDefinition', metadata: { name: 'things.example.io' },
    spec: { group: 'example.io', scope: 'Namespace', names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'Widgets' },
      versions: [version('v1', true, obj({ spec: { type: 'object' } })), version('v1', true, undefined), version('version2', false, obj({}))] },
  };
  const found = checkCrd(bad).join('\n');
  for (const expected of [/^apiVersion: must be apiextensions\.k8s\.io\/v1/m, /^metadata\.name: must be <spec\.names\.plural>/m, /^spec\.scope:/m,
    /^spec\.names\.listKind:/m, /duplicate version v1/, /spec\.versions\[1\]\.schema\.openAPIV3Schema: required/, /spec\.versions\[2\]\.name:/,
    /exactly one version must be the storage version, found 2/, /spec\.versions\[0\]\.schema\.openAPIV3Schema\.properties\[status\]: must be specified/]) {
    assert.match(found, expected);
  }
});

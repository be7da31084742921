/**
 * Robustness of the schema engine against the real CRDs: whatever JSON a user writes as spec,
 * validate() returns issues and never throws. Specs are drawn from arbitrary JSON and from
 * objects built with the field names the CRDs declare, so that CEL rules deep in the schemas
 * see odd values too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { createSchemaValidator, defaultCrdDir } from '../../../src/model/validation/schema/index.js';
import { KINDS } from '../../../src/model/kinds.js';

const crdDir = defaultCrdDir();
const validator = createSchemaValidator({ crdDir });

/** Every property name declared anywhere in the CRDs. */
function declaredFieldNames(): string[] {
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (typeof node === 'object' && node !== null) {
      const record = node as Record<string, unknown>;
      if (typeof record.properties === 'object' && record.properties !== null) {
        Object.keys(record.properties).forEach((k) => names.add(k));
      }
      Object.values(record).forEach(visit);
    }
  };
  for (const file of readdirSync(crdDir).filter((f) => f.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(readFileSync(join(crdDir, file), 'utf8'))) visit(doc.toJS({ maxAliasCount: 1000 }));
  }
  return [...names].sort();
}

const fieldNames = declaredFieldNames();

const leaf = fc.oneof(
  fc.constantFrom('', '*', 'http://x', 'unix:///a/', '1.2.3.4/33', '5s', 'bad duration', 'UPSERT', 'HOST', 'STRICT', '80', '0'),
  fc.integer({ min: -70000, max: 70000 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string(),
);

const schemaShaped = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('object'), tie('array')),
  object: fc.dictionary(fc.constantFrom(...fieldNames), tie('value'), { maxKeys: 6 }),
  array: fc.array(tie('value'), { maxLength: 3 }),
})).object;

const istioKinds = KINDS.filter((k) => k.istio);

test('the CRD directory yields a schema for every Istio kind and version', () => {
  assert.deepEqual(validator.problems, []);
  for (const info of istioKinds) {
    for (const version of info.versions) {
      const doc = { apiVersion: `${info.group}/${version}`, kind: info.kind, metadata: { name: 'x' }, spec: {} };
      const missing = validator.validate(info, doc).filter((i) => i.severity === 'warning' && i.detail.includes('no CRD schema'));
      assert.deepEqual(missing, [], `${info.kind} ${version}`);
    }
  }
});

test('validate() never throws, for any JSON value as spec of any kind', () => {
  fc.assert(
    fc.property(fc.constantFrom(...istioKinds), fc.oneof(fc.jsonValue(), schemaShaped), (info, spec) => {
      const doc = { apiVersion: `${info.group}/${info.versions[0]}`, kind: info.kind, metadata: { name: 'x' }, spec };
      const issues = validator.validate(info, doc);
      assert.ok(Array.isArray(issues));
      // The engine catches its own failures as 'Internal error' issues: there must be none.
      const internal = issues.filter((i) => i.reason === 'Internal error');
      assert.deepEqual(internal, [], JSON.stringify(spec));
      for (const i of issues) assert.equal(typeof renderable(i), 'string');
    }),
    { numRuns: 1500 },
  );
});

function renderable(i: { path: string; detail: string }): string {
  return `${i.path}: ${i.detail}`;
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KINDS } from '../../../src/model/kinds.js';
import { createValidator } from '../../../src/model/validation/validate.js';

const validator = createValidator();

const apiVersions = KINDS.flatMap((k) => k.versions.map((v) => (k.group ? `${k.group}/${v}` : v)));
const kinds = KINDS.map((k) => k.kind as string);

/** Documents that look like manifests at the top and are arbitrary below. */
const manifest = fc.record({
  apiVersion: fc.oneof(fc.constantFrom(...apiVersions), fc.anything()),
  kind: fc.oneof(fc.constantFrom(...kinds), fc.anything()),
  metadata: fc.oneof(fc.record({ name: fc.oneof(fc.constantFrom('a', 'good-name'), fc.anything()), namespace: fc.anything(), labels: fc.anything() }, { requiredKeys: [] }), fc.anything()),
  spec: fc.anything(),
}, { requiredKeys: [] });

test('the full validator never throws and always names an object', () => {
  fc.assert(
    fc.property(fc.oneof(manifest, fc.anything()), (doc) => {
      const out = validator.validate(doc);
      assert.equal(typeof out.ref.kind, 'string');
      assert.equal(typeof out.ref.name, 'string');
      assert.ok(out.object === undefined || out.errors.length === 0);
      assert.ok(out.errors.every((e) => e.reason !== 'Internal error'), JSON.stringify(out.errors));
    }),
    { numRuns: 1500 },
  );
});

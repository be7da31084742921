// Every valid document of the conformance corpus must also pass Istio's semantic rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { lookupKind } from '../../../src/model/kinds.js';
import { validateSemantics } from '../../../src/model/validation/semantic/index.js';
import { renderIssue } from '../../../src/lib/issue.js';

const CORPUS = '../shared/testdata/istio-crd-validation';

// go-yaml reads `[1.2.3.4, 001:db8::]` as two strings; the yaml package (YAML 1.2) reads the
// trailing `::]` as a key/value pair. Quote that one IPv6 literal so this test checks the rules,
// not the YAML dialect (the file loader has to deal with the dialect).
function goYamlCompatible(text: string): string {
  return text.replace('001:db8::]', '"001:db8::"]');
}

test('valid corpus documents have no semantic errors', { skip: !existsSync(CORPUS) }, () => {
  let checked = 0;
  for (const file of readdirSync(CORPUS).filter((f) => f.endsWith('-valid.yaml'))) {
    for (const doc of parseAllDocuments(goYamlCompatible(readFileSync(join(CORPUS, file), 'utf8')))) {
      const raw = doc.toJS() as Record<string, unknown> | null;
      if (!raw || typeof raw.kind !== 'string') continue;
      const found = lookupKind(String(raw.apiVersion), raw.kind);
      assert.ok(found.ok, `${file}: ${String(raw.kind)}`);
      const meta = (raw.metadata ?? {}) as { name?: string };
      const obj = { kind: found.info.kind, apiVersion: String(raw.apiVersion), metadata: { name: meta.name ?? 'x', namespace: 'default', labels: {}, annotations: {} }, spec: (raw.spec ?? {}) as Record<string, unknown> };
      const errs = validateSemantics(obj, { domain: 'cluster.local' }).filter((i) => i.severity === 'error');
      assert.deepEqual(errs.map(renderIssue), [], `${file} ${meta.name ?? ''}`);
      checked++;
    }
  }
  assert.ok(checked >= 15, `checked only ${checked} documents`);
});

/**
 * Conformance corpus: Istio's own CRD-validation test documents (copied to
 * ../shared/testdata/istio-crd-validation). A document with `_err` must be rejected with a
 * message containing that text; every other document must be accepted. Files are read the
 * way the daemon reads manifests (parseDocuments), then validated by the full validator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDocuments } from '../../../src/sources/file/parse-documents.js';
import { createValidator } from '../../../src/model/validation/validate.js';
import { renderIssue } from '../../../src/lib/issue.js';

const CORPUS_DIR = resolve(process.cwd(), '../shared/testdata/istio-crd-validation');

interface CorpusDoc {
  readonly name: string;
  readonly doc: Record<string, unknown>;
  readonly expectedError?: string;
}

function loadCorpusFile(file: string): CorpusDoc[] {
  const parsed = parseDocuments(readFileSync(join(CORPUS_DIR, file), 'utf8'));
  assert.deepEqual(parsed.problems, [], `${file} does not parse`);
  return parsed.documents.flatMap(({ index, value }) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
    const { _err, ...doc } = value as Record<string, unknown>;
    const meta = (doc.metadata ?? {}) as Record<string, unknown>;
    const name = `${file}#${index} ${String(meta.name ?? '<unnamed>')}`;
    return [{ name, doc, ...(typeof _err === 'string' ? { expectedError: _err } : {}) }];
  });
}

if (!existsSync(CORPUS_DIR)) {
  test('istio CRD validation corpus', (t) => {
    t.skip('skipped: corpus ../shared/testdata/istio-crd-validation not found');
  });
} else {
  const validator = createValidator();
  const files = readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.yaml')).sort();
  test('the corpus is not empty', () => {
    assert.ok(files.length > 0, `no .yaml files in ${CORPUS_DIR}`);
  });
  for (const file of files) {
    for (const entry of loadCorpusFile(file)) {
      test(entry.name, () => {
        const outcome = validator.validate(entry.doc, { defaultNamespace: 'default' });
        const rendered = outcome.errors.map(renderIssue);
        if (entry.expectedError === undefined) {
          assert.deepEqual(rendered, [], 'a valid document was rejected');
          return;
        }
        assert.ok(rendered.length > 0, `expected rejection with "${entry.expectedError}", but the document was accepted`);
        assert.ok(
          rendered.some((r) => r.includes(entry.expectedError as string)),
          `no error contains "${entry.expectedError}"; got:\n  ${rendered.join('\n  ')}`,
        );
      });
    }
  }
}

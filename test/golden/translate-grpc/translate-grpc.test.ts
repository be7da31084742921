/**
 * Golden tests for the proxyless gRPC generator: testdata/<case>/in.yaml → out.yaml.
 * UPDATE_GOLDEN=1 rewrites outputs and deletes outputs whose input is gone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goldenCases } from '../../helpers/golden.js';
import { checkValidateRules } from '../../helpers/validate-rules.js';
import { renderCase } from './render.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

goldenCases('translate-grpc', join(root, 'test/golden/translate-grpc/testdata'), 10, (dir) => renderCase(readFileSync(join(dir, 'in.yaml'), 'utf8')));

/**
 * Every golden resource also passes the protoc-gen-validate rules of Envoy's protos. Known
 * exception (reported, not yet fixed in src/translate/grpc): the HttpConnectionManager has no
 * stat_prefix (min_len 1); gRPC clients ignore it, Envoy would not.
 */
test('translate-grpc golden outputs pass validate.rules', () => {
  const testdata = join(root, 'test/golden/translate-grpc/testdata');
  const problems: string[] = [];
  let checked = 0;
  for (const name of readdirSync(testdata)) {
    const outFile = join(testdata, name, 'out.yaml');
    if (!existsSync(outFile)) continue;
    const out = parse(readFileSync(outFile, 'utf8')) as Record<string, Record<string, unknown>[]>;
    for (const type of ['lds', 'rds', 'cds', 'eds']) {
      for (const body of out[type] ?? []) {
        checked++;
        for (const p of checkValidateRules(body)) problems.push(`${name} ${type} ${String(body.name ?? body.cluster_name)}: ${p}`);
      }
    }
  }
  assert.ok(checked >= 50, `only ${checked} resources checked`);
  assert.deepEqual(problems, []);
});

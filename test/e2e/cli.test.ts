import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/daemon.js';

const BAD_VS = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: -1
`;

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'istiod-ts-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('version prints the package version', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  const r = runCli(['version']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, new RegExp(`istiod-ts version ${pkg.version.replace(/\./g, '\\.')}`));
});

test('help and usage errors', () => {
  assert.equal(runCli(['help']).status, 0);
  assert.match(runCli([]).stdout, /istiod-ts discovery/);
  const bad = runCli(['discovery', '--grpcAddr', 'nonsense']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--grpcAddr "nonsense"/);
  const noSource = runCli(['discovery']);
  assert.equal(noSource.status, 2);
  assert.match(noSource.stderr, /--configDir/);
});

test('validate: the bundled example is valid', () => {
  const r = runCli(['validate', '-f', 'examples/bookinfo']);
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0, r.stdout);
  assert.match(r.stdout, /\d+ object\(s\) valid/);
});

test('validate: errors name the file, document, object and field; exit code 1', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'bad.yaml');
  await writeFile(file, `kind: [\n---\n${BAD_VS}`);
  const r = runCli(['validate', '-f', file]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, new RegExp(`error: ${file}#0: not valid YAML`));
  assert.match(r.stdout, new RegExp(`error: ${file}#1 VirtualService/default/reviews: spec\\.http\\[0\\]\\.route\\[0\\]\\.weight`));
});

test('validate -o json gives machine-readable reports', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'bad.yaml'), BAD_VS);
  const r = runCli(['validate', '-o', 'json', '-f', dir]);
  assert.equal(r.status, 1);
  const out = JSON.parse(r.stdout) as { valid: boolean; documents: { object: string; errors: string[] }[] };
  assert.equal(out.valid, false);
  assert.equal(out.documents[0]!.object, 'VirtualService/default/reviews');
  assert.ok(out.documents[0]!.errors.some((e) => e.startsWith('spec.http[0].route[0].weight')));
});

test('validate: a missing file is an error, not a crash', () => {
  const r = runCli(['validate', '-f', '/nonexistent/x.yaml']);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /cannot read/);
});

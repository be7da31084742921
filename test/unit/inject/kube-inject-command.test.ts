import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKubeInject } from '../../../src/cli/kube-inject-command.js';
import { parseCommand } from '../../../src/cli/parse-args.js';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web:1}]
`;

function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kube-inject-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('parseCommand: kube-inject flags and ENABLE_NATIVE_SIDECARS', () => {
  const c = parseCommand(['kube-inject', '-f', 'in.yaml', '-o', 'out.yaml', '--injectConfigFile', 'c.yaml', '--valuesFile', 'v.yaml', '--meshConfigFile', 'm.yaml', '--revision', 'canary'], { ENABLE_NATIVE_SIDECARS: 'true' });
  assert.deepEqual(c, { name: 'kube-inject', options: { filename: 'in.yaml', output: 'out.yaml', injectConfigFile: 'c.yaml', valuesFile: 'v.yaml', meshConfigFile: 'm.yaml', revision: 'canary', nativeSidecars: true } });
  assert.throws(() => parseCommand(['kube-inject'], {}), /needs -f FILE/);
  assert.throws(() => parseCommand(['kube-inject', '-f', 'x', '--bogus'], {}), /bogus/);
});

test('kube-inject reads stdin and writes stdout; the ConfigMap form of the config files is accepted', () => withDir(async (dir) => {
  const cm = join(dir, 'injector.yaml');
  writeFileSync(cm, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio-sidecar-injector}\ndata:\n  config: |\n    policy: disabled\n  values: |\n    global:\n      hub: example.com/istio\n      tag: "9.9"\n');
  const mesh = join(dir, 'mesh.yaml');
  writeFileSync(mesh, 'trustDomain: example.org\n');
  const r = await runKubeInject({ filename: '-', injectConfigFile: cm, meshConfigFile: mesh, nativeSidecars: false }, async () => DEPLOYMENT);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /image: example\.com\/istio\/proxyv2:9\.9/);
  assert.match(r.stdout, /name: TRUST_DOMAIN\n\s+value: example\.org/);
  assert.match(r.stdout, /ISTIO_META_OWNER\n\s+value: kubernetes:\/\/apis\/apps\/v1\/namespaces\/shop\/deployments\/web/);
}));

test('kube-inject -o writes the file; bad input is exit 1 with the document and field path', () => withDir(async (dir) => {
  const input = join(dir, 'in.yaml');
  const out = join(dir, 'out.yaml');
  writeFileSync(input, DEPLOYMENT);
  const ok = await runKubeInject({ filename: input, output: out, nativeSidecars: true }, async () => '');
  assert.equal(ok.exitCode, 0, ok.stderr);
  assert.match(readFileSync(out, 'utf8'), /restartPolicy: Always/);

  writeFileSync(input, `${DEPLOYMENT}---\nkind: Pod\nmetadata: {name: p, annotations: {sidecar.istio.io/interceptionMode: SIDEWAYS}}\nspec: {containers: [{name: a, image: a}]}\n`);
  const bad = await runKubeInject({ filename: input, nativeSidecars: false }, async () => '');
  assert.equal(bad.exitCode, 1);
  assert.match(bad.stderr, /document 1 \(Pod p\): metadata\.annotations\[sidecar\.istio\.io\/interceptionMode\]: Invalid value: "SIDEWAYS"/);

  const values = join(dir, 'values.yaml');
  writeFileSync(values, 'global:\n  proxy:\n    statusPort: high\n');
  const badValues = await runKubeInject({ filename: input, valuesFile: values, nativeSidecars: false }, async () => '');
  assert.equal(badValues.exitCode, 1);
  assert.match(badValues.stderr, /values\.yaml: values\.global\.proxy\.statusPort: Invalid value: "high"/);

  const missing = await runKubeInject({ filename: join(dir, 'nope.yaml'), nativeSidecars: false }, async () => '');
  assert.equal(missing.exitCode, 1);
  assert.match(missing.stderr, /cannot read/);
}));

/**
 * Injection goldens: <case>/input.yaml → <case>/output.yaml (UPDATE_GOLDEN=1 rewrites).
 * Optional per case: config.yaml (injector `config` key), values.yaml (`values` key), mesh.yaml,
 * context.yaml ({nativeSidecars, revision, namespace, proxyEnvs}).
 *  - A single Pod goes through injectPod (the webhook path): output.yaml is `# <outcome>` and the
 *    resulting pod; the JSON patch applied to the input must give exactly that pod, and injecting
 *    the result again must change nothing.
 *  - Anything else goes through kubeInject (istioctl's path): output.yaml is its output, and
 *    kube-injecting that output again must give the same text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { injectPod, type InjectContext } from '../../../src/inject/inject-pod.js';
import { kubeInject } from '../../../src/inject/kube-inject.js';
import { loadInjectorSettings, loadMeshConfig } from '../../../src/inject/load-files.js';
import { sortKeys, type Pod } from '../../../src/inject/k8s.js';
import { workloadOfPod } from '../../../src/inject/workload.js';
import { renderIssue } from '../../../src/lib/issue.js';
import { lineDiff } from '../../helpers/golden.js';
import { applyPatch } from './apply-patch.js';

const update = process.env.UPDATE_GOLDEN === '1';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const casesDir = join(root, 'test/golden/inject');
const MIN_CASES = 25;

function optional(dir: string, file: string): { name: string; text: string } | undefined {
  const p = join(dir, file);
  return existsSync(p) ? { name: file, text: readFileSync(p, 'utf8') } : undefined;
}

function contextFor(dir: string): InjectContext {
  const settings = loadInjectorSettings(optional(dir, 'config.yaml'), optional(dir, 'values.yaml'));
  assert.ok(settings.ok, `settings: ${settings.ok ? '' : settings.errors.join('; ')}`);
  const mesh = loadMeshConfig(optional(dir, 'mesh.yaml'));
  assert.ok(mesh.ok, `mesh: ${mesh.ok ? '' : mesh.errors.join('; ')}`);
  const extra = (optional(dir, 'context.yaml') ? parse(optional(dir, 'context.yaml')!.text) : {}) as Partial<InjectContext>;
  return { settings: settings.value, meshConfig: mesh.value, ...extra };
}

const podYaml = (pod: unknown): string => stringify(sortKeys(pod), { lineWidth: 0, indentSeq: false });

function renderPodCase(input: Pod, ctx: InjectContext, name: string): string {
  const podCtx: InjectContext = { ...ctx, workload: workloadOfPod(input, ctx.namespace) };
  const result = injectPod(input, podCtx);
  if (!result.ok) return `# error\n${result.errors.map((e) => `# ${renderIssue(e)}`).join('\n')}\n`;
  const { pod, patch, injected, reason } = result.value;
  assert.deepEqual(applyPatch(input, patch), pod, `${name}: the JSON patch applied to the input is not the injected pod`);
  const again = injectPod(pod, podCtx);
  assert.ok(again.ok, `${name}: re-injection failed`);
  assert.deepEqual(again.value.patch, [], `${name}: injecting the output again changes it (${again.value.reason})`);
  assert.deepEqual(again.value.pod, pod, `${name}: injecting the output again changes it`);
  return `# ${injected ? 'injected' : 'not injected'}: ${reason}\n${podYaml(pod)}`;
}

function renderManifestCase(text: string, ctx: InjectContext, name: string): string {
  const result = kubeInject(text, ctx);
  if (!result.ok) return `# error\n${result.errors.map((e) => `# ${e}`).join('\n')}\n`;
  const again = kubeInject(result.value.output, ctx);
  assert.ok(again.ok, `${name}: kube-inject of the output failed`);
  assert.equal(again.value.output, result.value.output, `${name}: kube-inject of the output changes it`);
  return [...result.value.warnings.map((w) => `# ${w}\n`), result.value.output].join('');
}

function render(dir: string, name: string): string {
  const text = readFileSync(join(dir, 'input.yaml'), 'utf8');
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  const first = list[0]?.toJS() as Pod | undefined;
  const ctx = contextFor(dir);
  return list.length === 1 && first?.kind === 'Pod' ? renderPodCase(first, ctx, name) : renderManifestCase(text, ctx, name);
}

const cases = readdirSync(casesDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

test('inject golden cases exist', () => {
  assert.ok(cases.filter((c) => existsSync(join(casesDir, c, 'input.yaml'))).length >= MIN_CASES, `fewer than ${MIN_CASES} cases`);
});

for (const name of cases) {
  const dir = join(casesDir, name);
  const outFile = join(dir, 'output.yaml');
  if (!existsSync(join(dir, 'input.yaml'))) {
    if (update && existsSync(outFile)) rmSync(outFile);
    continue;
  }
  test(`inject golden: ${name}`, () => {
    const got = render(dir, name);
    if (update) return void writeFileSync(outFile, got);
    assert.ok(existsSync(outFile), `${outFile} is missing; run with UPDATE_GOLDEN=1`);
    const want = readFileSync(outFile, 'utf8');
    if (want !== got) assert.fail(`${name}/output.yaml differs (UPDATE_GOLDEN=1 to accept):\n${lineDiff(want, got)}`);
  });
}

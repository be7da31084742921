// No Docker daemon runs here, so the image is checked statically: multi-stage on one Node LTS
// major, a slim non-root runtime with tini as PID 1, production dependencies only, and every
// COPY source present in a fresh checkout (or produced by the build stage) and not dockerignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CURRENT_LTS_MAJOR = 24;

interface Instruction { readonly op: string; readonly args: string; readonly stage: number }
interface Stage { readonly image: string; readonly name?: string; readonly index: number }

/** Dockerfile → instructions (continuations joined, comments dropped) and stages, ARG defaults substituted in FROM. */
export function parseDockerfile(text: string): { instructions: Instruction[]; stages: Stage[] } {
  const logical = text.replace(/\s*\\\r?\n(\s*#[^\n]*\n)*\s*/g, ' ').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const args = new Map<string, string>();
  const instructions: Instruction[] = [];
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, op = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = op.toUpperCase();
    if (upper === 'ARG' && stages.length === 0) {
      const [name, value = ''] = rest.split('=', 2);
      args.set(name!, value);
    }
    if (upper === 'FROM') {
      const [image = '', as, name] = rest.replace(/\$\{(\w+)\}/g, (_, n: string) => args.get(n) ?? '').split(/\s+/);
      stages.push({ image, index: stages.length, ...(as?.toUpperCase() === 'AS' && name ? { name } : {}) });
    }
    instructions.push({ op: upper, args: rest, stage: stages.length - 1 });
  }
  return { instructions, stages };
}

const dockerfile = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const { instructions, stages } = dockerfile;
const runtime = stages.length - 1;
const inStage = (stage: number, op: string) => instructions.filter((i) => i.stage === stage && i.op === op);
const stageByName = (name: string) => stages.find((s) => s.name === name || String(s.index) === name);

/** .dockerignore patterns as Docker applies them (root-relative, `*` within one segment, `!` re-includes). */
function dockerignored(path: string): boolean {
  const patterns = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  let ignored = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const pattern = (negate ? raw.slice(1) : raw).replace(/^\/|\/$/g, '');
    const re = new RegExp(`^${pattern.split('/').map((seg) => seg.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')).join('/')}(/|$)`);
    if (re.test(path)) ignored = !negate;
  }
  return ignored;
}

function trackedInGit(path: string): boolean {
  const out = spawnSync('git', ['ls-files', '--', path], { cwd: ROOT, encoding: 'utf8' });
  return out.status === 0 ? out.stdout.trim() !== '' : existsSync(join(ROOT, path));
}

test('the Dockerfile parser reads stages, ARG defaults and continued lines', () => {
  const parsed = parseDockerfile('ARG IMG=node:24-slim\nFROM ${IMG} AS b\nRUN a \\\n  # note\n  && b\nFROM ${IMG}\nUSER 1:1\n');
  assert.deepEqual(parsed.stages, [{ image: 'node:24-slim', index: 0, name: 'b' }, { image: 'node:24-slim', index: 1 }]);
  assert.deepEqual(parsed.instructions.find((i) => i.op === 'RUN'), { op: 'RUN', args: 'a && b', stage: 0 });
});

test('multi-stage, every stage on the same current Node LTS major, a slim runtime base', () => {
  assert.ok(stages.length >= 2, 'build and runtime stages');
  for (const s of stages) assert.match(s.image, new RegExp(`^node:${CURRENT_LTS_MAJOR}(\\.[0-9.]+)?-[a-z]+-slim$`), `stage ${s.index} (${s.image})`);
  const engines = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines.node as string;
  assert.ok(CURRENT_LTS_MAJOR >= Number(/>=\s*(\d+)/.exec(engines)?.[1]), `engines ${engines} admit Node ${CURRENT_LTS_MAJOR}`);
});

test('the runtime runs as uid 1337 under tini, with the daemon package.json names as its bin', () => {
  const users = inStage(runtime, 'USER');
  assert.equal(users.at(-1)?.args, '1337:1337');
  const lastRun = Math.max(...instructions.map((i, n) => (i.stage === runtime && i.op === 'RUN' ? n : -1)));
  assert.ok(instructions.findIndex((i) => i.stage === runtime && i.op === 'USER') > lastRun, 'USER after every RUN');
  const entrypoint = JSON.parse(inStage(runtime, 'ENTRYPOINT').at(-1)!.args) as string[];
  assert.deepEqual(entrypoint.slice(0, 3), ['/usr/bin/tini', '--', 'node'], 'tini is PID 1 and forwards SIGTERM');
  const bin = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).bin['istiod-ts'] as string;
  assert.equal(entrypoint[3], bin);
  assert.deepEqual(JSON.parse(inStage(runtime, 'CMD').at(-1)!.args), ['discovery']);
  assert.ok(inStage(runtime, 'RUN').some((r) => /apt-get install -y --no-install-recommends tini\b/.test(r.args) && /rm -rf \/var\/lib\/apt\/lists/.test(r.args)));
  const discovery = readFileSync(join(ROOT, 'src/bootstrap/discovery.ts'), 'utf8');
  assert.match(discovery, /process\.once\('SIGTERM'/, 'the daemon itself drains on SIGTERM');
  assert.deepEqual(inStage(runtime, 'EXPOSE').flatMap((e) => e.args.split(/\s+/)).sort(), ['15010', '15012', '15014', '15017', '8080']);
});

test('only production dependencies reach the runtime, and no npm cache or npm at all', () => {
  const nodeModules = inStage(runtime, 'COPY').filter((c) => / \.\/node_modules$/.test(c.args));
  assert.equal(nodeModules.length, 1);
  const from = stageByName(/--from=(\S+)/.exec(nodeModules[0]!.args)?.[1] ?? '');
  assert.ok(from, 'node_modules comes from a named stage');
  assert.ok(inStage(from.index, 'RUN').some((r) => /npm (ci|prune)\b.*--omit=dev/.test(r.args)), 'that stage installs with --omit=dev');
  for (const r of instructions.filter((i) => i.op === 'RUN' && /npm ci/.test(i.args))) assert.match(r.args, /npm cache clean --force/);
  assert.ok(!inStage(runtime, 'RUN').some((r) => /\bnpm (ci|install|run)\b/.test(r.args)), 'the runtime never runs npm');
  assert.ok(inStage(runtime, 'RUN').some((r) => r.args.includes('/usr/local/lib/node_modules/npm')), 'npm is removed from the runtime');
});

test('every COPY source exists: context files in a fresh checkout (not dockerignored), stage files where the build puts them', () => {
  const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')).compilerOptions as { outDir: string; rootDir: string };
  const buildOutputs = new Set([`/app/${tsconfig.outDir}/src`]);
  assert.equal(tsconfig.rootDir, '.', 'src/main.ts compiles to <outDir>/src/main.js');
  for (const copy of instructions.filter((i) => i.op === 'COPY')) {
    const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith('--'));
    const sources = parts.slice(0, -1);
    const from = /--from=(\S+)/.exec(copy.args)?.[1];
    for (const src of sources) {
      if (from) {
        const stage = stageByName(from);
        assert.ok(stage && stage.index < copy.stage, `COPY --from=${from}: no earlier stage`);
        const produced = buildOutputs.has(src) || src === '/app/node_modules';
        assert.ok(produced, `COPY --from=${from} ${src}: not something that stage produces`);
        if (src === '/app/node_modules') assert.ok(inStage(stage.index, 'RUN').some((r) => /npm (ci|install)/.test(r.args)));
        else assert.ok(inStage(stage.index, 'RUN').some((r) => /npm run build/.test(r.args)), `stage ${from} builds ${src}`);
      } else {
        const path = src.replace(/^\.\//, '').replace(/\/$/, '');
        assert.ok(trackedInGit(path), `COPY ${src}: not in a fresh checkout`);
        assert.ok(!dockerignored(path), `COPY ${src}: excluded by .dockerignore`);
      }
    }
  }
  assert.equal(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).bin['istiod-ts'], `${tsconfig.outDir}/src/main.js`);
});

test('.dockerignore keeps local state, builds, tests and benchmarks out of the context', () => {
  for (const path of ['.git', 'node_modules', 'dist', '.tmp', 'var', 'test', 'bench', 'deploy', 'coverage', 'debug.log', '.env.local', 'README.md']) {
    assert.ok(dockerignored(path), `${path} should be dockerignored`);
  }
  for (const path of ['package.json', 'package-lock.json', 'tsconfig.json', 'src', 'src/main.ts', 'crds', 'proto', 'examples']) {
    assert.ok(!dockerignored(path), `${path} is needed by the build`);
  }
});

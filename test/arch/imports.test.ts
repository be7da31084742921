/**
 * The dependency rule from DESIGN.md, enforced: lib ← config ← model ← sources;
 * model ← translate ← serve ← debug; lib ← config ← model ← security (the CA and caller
 * authentication) ← serve;
 * only bootstrap/ (and main.ts, cli/) wire layers together; each third-party library stays in
 * the folder that needs it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve('src');

const ALLOWED_LAYERS: Record<string, string[]> = {
  lib: [],
  config: ['lib'],
  model: ['lib', 'config'],
  sources: ['lib', 'config', 'model'],
  translate: ['lib', 'config', 'model'],
  security: ['lib', 'config', 'model'],
  // Sidecar injection (pure: pod + settings → injected pod + JSON patch).
  inject: ['lib', 'config', 'model'],
  serve: ['lib', 'config', 'model', 'translate', 'security', 'inject'],
  debug: ['lib', 'config', 'model', 'translate', 'serve', 'security'],
  // `istiod-ts agent` (workload side of the CA): of serve/ only the CA client half (checked below).
  agent: ['lib', 'config', 'security', 'serve'],
  cli: ['lib', 'config', 'model', 'sources', 'agent', 'inject'],
  bootstrap: ['lib', 'config', 'model', 'sources', 'translate', 'security', 'serve', 'debug', 'cli', 'inject'],
  'main.ts': ['lib', 'config', 'cli', 'bootstrap', 'agent'],
};

const ALLOWED_PACKAGES: Record<string, string[]> = {
  chokidar: ['sources'],
  pino: ['bootstrap'],
  'pino-pretty': ['bootstrap'],
  ajv: ['model'],
  'ajv-formats': ['model'],
  '@marcbachmann/cel-js': ['model'],
  re2js: ['model'],
  yaml: ['model', 'sources', 'config', 'inject'],
  protobufjs: ['serve'],
  '@grpc/grpc-js': ['serve', 'agent'],
  'prom-client': ['debug'],
  '@peculiar/asn1-schema': ['security'],
  '@peculiar/asn1-x509': ['security'],
  '@peculiar/asn1-csr': ['security'],
  jose: ['security'],
  '@kubernetes/client-node': ['sources'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const full = join(dir, e);
    return statSync(full).isDirectory() ? sourceFiles(full) : full.endsWith('.ts') ? [full] : [];
  });
}

function layerOf(file: string): string {
  const rel = relative(SRC, file);
  return rel.includes('/') ? rel.split('/')[0]! : rel;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm), ...text.matchAll(/import\('([^']+)'\)/g)].map((m) => m[1]!);
}

test('every import respects the layer and package rules', () => {
  const violations: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const layer = layerOf(file);
    for (const spec of importsOf(file)) {
      if (spec.startsWith('node:')) continue;
      if (spec.startsWith('.')) {
        const target = layerOf(resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
        if (target !== layer && !(ALLOWED_LAYERS[layer] ?? []).includes(target)) violations.push(`${relative(SRC, file)} → ${target} (${spec})`);
        continue;
      }
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      const allowed = ALLOWED_PACKAGES[pkg];
      if (!allowed) violations.push(`${relative(SRC, file)} uses undeclared package ${pkg}`);
      else if (!allowed.includes(layer)) violations.push(`${relative(SRC, file)} uses ${pkg}, allowed only in ${allowed.join(', ')}`);
    }
  }
  assert.deepEqual(violations, []);
});

test('no process.env or process.argv outside main.ts', () => {
  const offenders = sourceFiles(SRC)
    .filter((f) => !f.endsWith(`${SRC}/main.ts`))
    .filter((f) => /process\.(env|argv)/.test(readFileSync(f, 'utf8')))
    .map((f) => relative(SRC, f));
  assert.deepEqual(offenders, []);
});

test('agent/ uses only the client half of serve/ (ca-proto.ts)', () => {
  const offenders = sourceFiles(join(SRC, 'agent')).flatMap((file) =>
    importsOf(file)
      .filter((spec) => spec.startsWith('.') && layerOf(resolve(dirname(file), spec)) === 'serve')
      .filter((spec) => relative(SRC, resolve(dirname(file), spec)) !== 'serve/ca-proto.js')
      .map((spec) => `${relative(SRC, file)} → ${spec}`),
  );
  assert.deepEqual(offenders, []);
});

#!/usr/bin/env node
// Runs every compiled test file under dist/test with node's test runner.
// Node 20's `node --test` does not expand globs, so we list the files here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) found.push(...findTests(full));
    else if (entry.endsWith('.test.js')) found.push(full);
  }
  return found;
}

const filter = process.argv.slice(2);
const files = findTests('dist/test').filter((f) => filter.length === 0 || filter.some((p) => f.includes(p)));
if (files.length === 0) {
  console.error('no test files found under dist/test (did the build run?)');
  process.exit(1);
}
// --test-force-exit: a file whose tests finished (or timed out) cannot keep the run alive through
// a leaked socket or timer; --test-timeout: no single test may hang CI (the slowest take ~60 s).
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-force-exit', '--test-timeout=240000', ...files.sort()], { stdio: 'inherit' });
process.exit(result.status ?? 1);

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
// No --test-force-exit: on Node 20 it exits a test file's process before the reporter has
// flushed, so passes (and the messages of failures) after that point go unreported. A file that
// leaks a socket or timer would instead keep the run alive, so the whole run has a watchdog.
// --test-timeout: no single test may hang CI (the slowest take ~60 s).
const WATCHDOG_MS = 40 * 60_000;
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=240000', ...files.sort()], { stdio: 'inherit', timeout: WATCHDOG_MS, killSignal: 'SIGKILL' });
if (result.error?.code === 'ETIMEDOUT') {
  console.error(`test run killed after ${WATCHDOG_MS / 60_000} minutes: a test file did not exit (a leaked socket, timer or child process keeps it alive)`);
  process.exit(1);
}
process.exit(result.status ?? 1);

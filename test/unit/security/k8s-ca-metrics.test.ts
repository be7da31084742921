import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWorkloadCa, type StartedCa } from '../../../src/bootstrap/workload-ca.js';
import { DEFAULT_OPTIONS } from '../../../src/config/options.js';
import { createMeshMetrics } from '../../../src/debug/metrics.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { waitFor } from '../../helpers/wait-for.js';

const notAfterSeconds = (pem: string) => Math.floor(Date.parse(new X509Certificate(pem).validTo) / 1000);

function sample(body: string, name: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

test('citadel_server_root_cert_expiry_timestamp is the signing root\'s notAfter; id_extraction_err_count is exported', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ca-metrics-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const metrics = createMeshMetrics();
  const started = await startWorkloadCa({ ...DEFAULT_OPTIONS, caDir: join(dir, 'cacerts'), caStateDir: join(dir, 'state') }, 'cluster.local', silentLogger, metrics.caRoots);
  t.after(() => started.close());
  const { body } = await metrics.render();
  const expected = notAfterSeconds(started.ca.roots()[0]!);
  assert.ok(expected > Date.now() / 1000 + 9 * 365 * 24 * 3600, 'a 10-year self-signed root');
  assert.equal(sample(body, 'citadel_server_root_cert_expiry_timestamp'), expected);
  const remaining = sample(body, 'citadel_server_root_cert_expiry_seconds')!;
  assert.ok(Math.abs(remaining - (expected - Date.now() / 1000)) < 120, `remaining ${remaining}`);
  assert.equal(sample(body, 'citadel_server_id_extraction_err_count'), 0);
});

test('the gauge follows the roots when they change (rotation)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ca-metrics-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  let started: StartedCa | undefined;
  const calls: Array<{ seconds: number; current?: number }> = [];
  const recorder = { rootCertExpiry: (seconds: number) => void calls.push({ seconds, current: started && notAfterSeconds(started.ca.roots()[0]!) }) };
  // A 100% grace period rotates the root (same key, new notAfter) on every check.
  const options = { ...DEFAULT_OPTIONS, caDir: join(dir, 'cacerts'), caStateDir: join(dir, 'state'), selfSignedCaCertTtlSeconds: 3600, selfSignedRootCertGracePeriodPercentile: 100, selfSignedRootCertCheckIntervalMs: 1100 };
  started = await startWorkloadCa(options, 'cluster.local', silentLogger, recorder);
  t.after(() => started!.close());
  assert.equal(calls[0]?.seconds, notAfterSeconds(started.ca.roots()[0]!));
  await waitFor('a rotation recorded', () => calls.length >= 2);
  for (const call of calls.slice(1)) assert.equal(call.seconds, call.current, 'recorded from the root in force when it changed');
  assert.ok(calls.at(-1)!.seconds > calls[0]!.seconds, 'a later notAfter');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWorkloadCa } from '../../../src/bootstrap/workload-ca.js';
import { DEFAULT_OPTIONS, type Options } from '../../../src/config/options.js';
import { UserError } from '../../../src/lib/errors.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { makeOpensslCa, testKeys } from '../../helpers/ca-fixtures.js';
import { waitFor } from '../../helpers/wait-for.js';

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'workload-ca-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function optionsFor(dir: string): Options {
  return { ...DEFAULT_OPTIONS, caDir: join(dir, 'cacerts'), caStateDir: join(dir, 'state') };
}

/** An openssl-made root + intermediate with Istio's cert-chain.pem (intermediate, then root). */
async function completeBundle(dir: string, rootKey: ReturnType<typeof testKeys.p384>, caName: string): Promise<void> {
  makeOpensslCa(dir, { rootKey, caName });
  const [ca, root] = await Promise.all([readFile(join(dir, 'ca-cert.pem'), 'utf8'), readFile(join(dir, 'root-cert.pem'), 'utf8')]);
  await writeFile(join(dir, 'cert-chain.pem'), ca + root);
}

test('a self-signed root persists in --caStateDir across restarts and is published as root-cert.pem', async (t) => {
  const dir = await tempDir(t);
  const first = await startWorkloadCa(optionsFor(dir), 'cluster.local', silentLogger);
  const serial = first.ca.rootsInfo()[0]!.serialNumber;
  assert.equal(first.mode, 'self-signed');
  assert.equal(await readFile(first.rootCertFile, 'utf8'), first.ca.roots().join(''));
  await first.close();
  const second = await startWorkloadCa(optionsFor(dir), 'cluster.local', silentLogger);
  t.after(() => second.close());
  assert.equal(second.ca.rootsInfo()[0]!.serialNumber, serial, 'the same root after a restart');
});

test('a plugged-in bundle is used, and a reloaded one is republished', async (t) => {
  const dir = await tempDir(t);
  const cacerts = join(dir, 'cacerts');
  await mkdir(cacerts);
  await completeBundle(cacerts, testKeys.p384(), 'Intermediate A');
  const started = await startWorkloadCa(optionsFor(dir), 'cluster.local', silentLogger);
  t.after(() => started.close());
  assert.deepEqual(started.mode, { pluggedIn: 'istio', dir: cacerts });
  const before = await readFile(started.rootCertFile, 'utf8');
  // A new root and intermediate: the published roots follow.
  await completeBundle(cacerts, testKeys.p256b(), 'Intermediate B');
  const after = await waitFor('root-cert.pem rewritten', async () => {
    const text = await readFile(started.rootCertFile, 'utf8');
    return text !== before ? text : undefined;
  }, 10_000);
  assert.equal(after, started.ca.roots().join(''));
});

test('an unusable plugged-in bundle is a UserError naming the file', async (t) => {
  const dir = await tempDir(t);
  const cacerts = join(dir, 'cacerts');
  await mkdir(cacerts);
  await writeFile(join(cacerts, 'ca-key.pem'), 'not a key');
  await assert.rejects(startWorkloadCa(optionsFor(dir), 'cluster.local', silentLogger), (e: unknown) => e instanceof UserError && e.code === 'MESH_ERR_CA_BUNDLE_INVALID' && /(ca-cert|cert-chain|root-cert)\.pem: file is missing/.test(e.message));
});

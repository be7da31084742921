import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCertFiles, writeFileAtomically } from '../../../src/agent/cert-files.js';

test('the three files are written whole, key.pem 0600, with no temporary files left; rewrites replace them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'agent-files-'));
  try {
    const out = join(dir, 'nested', 'certs');
    const paths = await writeCertFiles(out, { certChainPem: 'chain-1', keyPem: 'key-1', rootPem: 'root-1' });
    assert.deepEqual(paths, { certChain: join(out, 'cert-chain.pem'), key: join(out, 'key.pem'), root: join(out, 'root-cert.pem') });
    assert.equal(statSync(paths.key).mode & 0o777, 0o600);
    assert.equal(statSync(paths.certChain).mode & 0o777, 0o644);
    await writeCertFiles(out, { certChainPem: 'chain-2', keyPem: 'key-2', rootPem: 'root-2' });
    assert.deepEqual([paths.certChain, paths.key, paths.root].map((p) => readFileSync(p, 'utf8')), ['chain-2', 'key-2', 'root-2']);
    assert.equal(statSync(paths.key).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(out).sort(), ['cert-chain.pem', 'key.pem', 'root-cert.pem']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failed write leaves neither partial files nor temporaries behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'agent-files-'));
  try {
    writeFileSync(join(dir, 'blocker'), 'a file where a directory should be');
    await assert.rejects(writeCertFiles(join(dir, 'blocker', 'certs'), { certChainPem: 'c', keyPem: 'k', rootPem: 'r' }), /ENOTDIR|EEXIST/);
    // root-cert.pem is a non-empty directory: its rename fails after all three were staged.
    const out = join(dir, 'out');
    await writeCertFiles(out, { certChainPem: 'c', keyPem: 'k', rootPem: 'r' });
    rmSync(join(out, 'root-cert.pem'));
    mkdirSync(join(out, 'root-cert.pem'));
    writeFileSync(join(out, 'root-cert.pem', 'occupant'), '');
    await assert.rejects(writeCertFiles(out, { certChainPem: 'c2', keyPem: 'k2', rootPem: 'r2' }));
    assert.deepEqual(readdirSync(out).filter((f) => f.endsWith('.tmp')), []);
    await writeFileAtomically(join(dir, 'bootstrap.json'), '{}');
    assert.equal(readFileSync(join(dir, 'bootstrap.json'), 'utf8'), '{}');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileSource } from '../../../src/sources/file/file-source.js';
import { createValidator } from '../../../src/model/validation/validate.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { RecordingSink } from '../../helpers/recording-sink.js';
import { waitFor } from '../../helpers/wait-for.js';

function svc(name: string, port = 80): string {
  return `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  ports:\n  - name: http\n    port: ${port}\n`;
}

function portOf(sink: RecordingSink, key: string): number | undefined {
  return (sink.objects.get(key)?.spec as { spec?: { ports?: { port: number }[] } } | undefined)?.spec?.ports?.[0]?.port;
}

test('loads a directory tree, then follows edits, new files, deletions and renames', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'istiod-ts-files-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'nested'));
  await writeFile(join(dir, 'a.yaml'), svc('a'));
  await writeFile(join(dir, 'nested', 'b.yml'), svc('b'));
  await writeFile(join(dir, 'notes.txt'), 'not a manifest');
  await writeFile(join(dir, '.hidden.yaml'), svc('hidden'));
  const sink = new RecordingSink();
  const source = createFileSource({ dir, validator: createValidator(), sink, logger: silentLogger, watch: true });
  t.after(() => source.close());
  assert.equal(source.synced, false);
  await source.start();
  assert.equal(source.synced, true);
  assert.deepEqual(sink.keys(), ['Service/default/a', 'Service/default/b']);

  await writeFile(join(dir, 'a.yaml'), svc('a', 8080));
  await waitFor('edit applied', () => portOf(sink, 'Service/default/a') === 8080);

  await writeFile(join(dir, 'nested', 'c.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'c' }, spec: {} }));
  await waitFor('new file loaded', () => sink.objects.has('Service/default/c'));

  await rm(join(dir, 'nested', 'b.yml'));
  await waitFor('deleted file unloaded', () => !sink.objects.has('Service/default/b'));

  await rename(join(dir, 'a.yaml'), join(dir, 'renamed.yaml'));
  await waitFor('renamed file still provides its object', async () => {
    await new Promise((r) => setTimeout(r, 100));
    return sink.objects.has('Service/default/a') && source.reports().length === 0;
  });
});

test('an invalid edit is reported and the last good object stays', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'istiod-ts-files-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'a.yaml'), svc('a'));
  const sink = new RecordingSink();
  const source = createFileSource({ dir, validator: createValidator(), sink, logger: silentLogger, watch: true });
  t.after(() => source.close());
  await source.start();
  await writeFile(join(dir, 'a.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  labels:\n    app: "-bad-"\n');
  const reports = await waitFor('error reported', () => (source.reports().length > 0 ? source.reports() : undefined));
  assert.equal(reports![0]!.file, join(dir, 'a.yaml'));
  assert.equal(reports![0]!.index, '0');
  assert.match(reports![0]!.errors.join('\n'), /metadata\.labels\.app: Invalid value: "-bad-"/);
  assert.equal(portOf(sink, 'Service/default/a'), 80);
});

test('a directory that does not exist fails start with a clear error', async () => {
  const source = createFileSource({ dir: '/nonexistent/istiod-ts', validator: createValidator(), sink: new RecordingSink(), logger: silentLogger, watch: false });
  await assert.rejects(source.start(), /ENOENT|no such file/);
});

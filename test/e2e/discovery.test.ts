import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startDaemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait-for.js';

interface Configz {
  configs: { kind: string; metadata: { name: string; namespace: string }; spec: Record<string, unknown> }[];
  rejected: { file: string; index: string; object?: string; errors: string[] }[];
}

function svc(name: string, port: number): string {
  return `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: demo\nspec:\n  selector: {app: ${name}}\n  ports:\n  - name: http\n    port: ${port}\n`;
}

test("npm start's config (examples/bookinfo) loads with no errors and serves the debug views", async (t) => {
  const daemon = await startDaemon(['--configDir', 'examples/bookinfo']);
  t.after(() => daemon.stop());
  await waitFor('ready', async () => (await daemon.get('/ready')).status === 200, 20_000);
  const configz = JSON.parse((await daemon.get('/debug/configz')).body) as Configz;
  assert.deepEqual(configz.rejected, [], 'no document of the example is rejected');
  const kinds = new Set(configz.configs.map((c) => c.kind));
  for (const k of ['Service', 'Pod', 'VirtualService', 'DestinationRule', 'Gateway']) assert.ok(kinds.has(k), `example has a ${k}`);
  const registry = JSON.parse((await daemon.get('/debug/registryz')).body) as { hostname: string; endpoints: unknown[] }[];
  const reviews = registry.find((s) => s.hostname.startsWith('reviews.'));
  assert.ok(reviews, 'reviews is in the registry');
  assert.equal(reviews.endpoints.length, 3, 'reviews v1, v2, v3 pods are its endpoints');
  assert.equal(daemon.lines.filter((l) => l.level === 50).length, 0, 'no error log lines');
  assert.equal(await daemon.stop(), 0, 'SIGTERM exits cleanly with 0');
});

test('an edit, a new file and a deletion under --configDir reach the snapshot; bad documents are reported', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'istiod-ts-daemon-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'a.yaml'), svc('alpha', 80));
  const daemon = await startDaemon(['--configDir', dir], { PILOT_DEBOUNCE_AFTER: '10ms' });
  t.after(() => daemon.stop());
  await waitFor('ready', async () => (await daemon.get('/ready')).status === 200, 20_000);
  const configz = async () => JSON.parse((await daemon.get('/debug/configz')).body) as Configz;
  const portOf = (c: Configz, name: string) =>
    ((c.configs.find((o) => o.metadata.name === name)?.spec as { spec?: { ports?: { port: number }[] } })?.spec?.ports?.[0]?.port);

  await writeFile(join(dir, 'a.yaml'), svc('alpha', 8080));
  await waitFor('edit visible', async () => portOf(await configz(), 'alpha') === 8080);

  await writeFile(join(dir, 'b.yaml'), `${svc('beta', 90)}---\napiVersion: v1\nkind: Service\nmetadata: {name: Bad_Name}\n`);
  const withB = await waitFor('new file visible', async () => {
    const c = await configz();
    return portOf(c, 'beta') === 90 && c.rejected.length > 0 ? c : undefined;
  });
  assert.equal(withB!.rejected[0]!.index, '1');
  assert.match(withB!.rejected[0]!.errors[0]!, /metadata\.name: Invalid value: "Bad_Name"/);
  const logged = daemon.lines.find((l) => l.msg === 'config document rejected');
  assert.ok(logged, 'the rejection is logged');
  assert.equal(logged.file !== undefined && logged.document, '1');

  await rm(join(dir, 'a.yaml'));
  await waitFor('deletion visible', async () => portOf(await configz(), 'alpha') === undefined);
  assert.equal((await daemon.get('/ready')).status, 200);
});

test('a bad --meshConfig stops startup with every problem named', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'istiod-ts-mesh-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'mesh.yaml'), 'outboundTrafficPolicy:\n  mode: SOMETIMES\ntrustDomian: typo.local\n');
  const r = runCli(['discovery', '--configDir', dir, '--meshConfig', join(dir, 'mesh.yaml'), '--httpAddr', '127.0.0.1:0']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /outboundTrafficPolicy\.mode/);
  assert.match(r.stderr, /trustDomian/);
});

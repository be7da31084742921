/**
 * `node dist/bench/gateway-push/run.js`: issue 7's "one VirtualService edit at 1,000 gateways
 * pushes to the router in ≤ 1 s", end to end against the real daemon. Istio's `gateways`
 * scenario (1,000 Gateways + 1,000 VirtualServices + 1,000 ServiceEntries) is written under
 * --configDir (vs-0 in a file of its own), a router ADS client (the scenario's proxy: 1.1.1.1 in
 * `default`, label istio.io/benchmark=true) subscribes to LDS, CDS and every route configuration
 * the listeners name; then vs-0's route prefix is edited, and the time from the file write until
 * the router holds an `http.80` carrying the new prefix is measured. Median over the edits; the
 * daemon's default debounce (PILOT_DEBOUNCE_AFTER 100 ms) is part of it. Asserts nothing.
 *
 *   node dist/bench/gateway-push/run.js [--edits 9] [--protocol sotw|delta] [--scenario <path>]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TypeUrl } from '../../src/translate/type-urls.js';
import { startDaemon } from '../../test/helpers/daemon.js';
import { XdsClient, type XdsProtocol } from '../../test/helpers/xds-client.js';
import { routeConfigNames } from '../translate/references.js';

const { values: flags } = parseArgs({
  options: {
    edits: { type: 'string', default: '9' },
    protocol: { type: 'string', default: 'sotw' },
    scenario: { type: 'string' },
  },
});

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const scenario = flags.scenario ? resolve(flags.scenario) : resolve(repoRoot, '../shared/bench/istio-scenarios/gateways.yaml');
const protocol = flags.protocol as XdsProtocol;
const EDITED = 'vs-0';
const ROUTE = 'http.80';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The scenario split in two files: everything but the edited VirtualService, and that one. */
function writeConfigDir(dir: string): string {
  const docs = readFileSync(scenario, 'utf8').split(/^---$/m);
  const isEdited = (d: string) => /^kind: VirtualService$/m.test(d) && new RegExp(`^  name: ${EDITED}$`, 'm').test(d);
  const edited = docs.find(isEdited);
  if (!edited) throw new Error(`${scenario}: no VirtualService ${EDITED}`);
  writeFileSync(join(dir, 'scenario.yaml'), docs.filter((d) => !isEdited(d)).join('---'));
  const file = join(dir, `${EDITED}.yaml`);
  writeFileSync(file, edited);
  return file;
}

const routerNode = {
  id: 'router~1.1.1.1~benchmark.default~default.svc.cluster.local',
  locality: { region: 'region', zone: 'zone' },
  metadata: { NAMESPACE: 'default', LABELS: { 'istio.io/benchmark': 'true' }, INSTANCE_IPS: '1.1.1.1', ISTIO_VERSION: '1.24.0' },
};

function holdsPrefix(client: XdsClient, prefix: string): boolean {
  const route = client.resources(TypeUrl.RouteConfiguration).get(ROUTE);
  return route !== undefined && JSON.stringify(route.body).includes(`"${prefix}"`);
}

async function subscribeAll(client: XdsClient): Promise<number> {
  client.subscribe(TypeUrl.Cluster);
  client.subscribe(TypeUrl.Listener);
  const listeners = await client.waitFor('listeners', () => client.resources(TypeUrl.Listener).size > 0 && [...client.resources(TypeUrl.Listener).values()], 60_000);
  const names = routeConfigNames(listeners.map((l) => l.body));
  client.subscribe(TypeUrl.RouteConfiguration, names);
  await client.waitFor('route configurations', () => client.resources(TypeUrl.RouteConfiguration).size >= names.length, 60_000);
  return names.length;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'istiod-ts-gateway-push-'));
  const file = writeConfigDir(dir);
  const original = readFileSync(file, 'utf8');
  const t0 = performance.now();
  const daemon = await startDaemon(['--configDir', dir]);
  const client = XdsClient.connect({ address: `127.0.0.1:${daemon.grpcPort}`, node: routerNode, protocol });
  try {
    const routes = await subscribeAll(client);
    const readyMs = performance.now() - t0;
    const samples: number[] = [];
    for (let i = 1; i <= Math.max(1, Number(flags.edits)); i++) {
      const prefix = `/route-0-edit-${i}`;
      if (!original.includes('"/route-0"')) throw new Error(`${EDITED}: no prefix "/route-0" to edit`);
      const start = performance.now();
      writeFileSync(file, original.replace('"/route-0"', `"${prefix}"`));
      await client.waitFor(`${ROUTE} with ${prefix}`, () => holdsPrefix(client, prefix), 30_000);
      samples.push(performance.now() - start);
      await sleep(500);
    }
    const sorted = [...samples].sort((a, b) => a - b);
    console.log(`node ${process.version}; ${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}; ${protocol}; ${new Date().toISOString()}`);
    console.log(`router subscribed to ${routes} route configurations; daemon start → all delivered ${readyMs.toFixed(0)} ms`);
    console.log(`one VirtualService edit → router holds the new ${ROUTE}: median ${sorted[sorted.length >> 1]!.toFixed(0)} ms (min ${sorted[0]!.toFixed(0)}, max ${sorted.at(-1)!.toFixed(0)}; ${samples.map((s) => s.toFixed(0)).join(', ')}), ${samples.length} edits, polled every 10 ms`);
  } finally {
    await client.close();
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

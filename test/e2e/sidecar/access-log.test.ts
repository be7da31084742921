/**
 * MeshConfig access logging end to end: the daemon started with a --meshConfig setting
 * accessLogFile serves a sidecar LDS (over ADS, decoded with Envoy's types) whose HTTP managers,
 * tcp_proxies and listeners carry the file logger, and the client ACKs it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { XdsClient } from '../../helpers/xds-client.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';

type Json = Record<string, any>;

const OBJECTS = `
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec:
  clusterIP: 10.96.0.10
  selector: {app: reviews}
  ports: [{name: http, port: 9080}, {name: tcp-db, port: 3306}]
---
apiVersion: v1
kind: Pod
metadata: {name: app-1, namespace: default, labels: {app: app, security.istio.io/tlsMode: istio}}
spec: {serviceAccountName: app, containers: [{name: c}]}
status: {phase: Running, podIP: 10.0.0.9, conditions: [{type: Ready, status: "True"}]}
`;

const MESH = 'accessLogFile: /dev/stdout\naccessLogEncoding: JSON\n';

/** Every HCM and tcp_proxy body in the listeners, with the chain it sits in. */
function networkFilters(listeners: readonly Json[]): { chain: string; typed: Json }[] {
  return listeners.flatMap((l) => [...(l.filter_chains ?? []), ...(l.default_filter_chain ? [l.default_filter_chain] : [])]
    .flatMap((c: Json) => (c.filters ?? []).map((f: Json) => ({ chain: String(c.name ?? ''), typed: f.typed_config as Json }))))
    .filter((f) => /TcpProxy|HttpConnectionManager/.test(String(f.typed['@type'])));
}

test('with accessLogFile in --meshConfig, a sidecar LDS over ADS carries the file access loggers', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'istiod-ts-accesslog-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, 'config'));
  await writeFile(join(root, 'config', 'objects.yaml'), OBJECTS);
  await writeFile(join(root, 'mesh.yaml'), MESH);
  const daemon = await startDaemon(['--configDir', join(root, 'config'), '--meshConfig', join(root, 'mesh.yaml')]);
  t.after(() => daemon.stop());
  await waitFor('ready', async () => (await daemon.get('/ready')).status === 200, 20_000);

  const client = XdsClient.connect({
    address: `127.0.0.1:${daemon.grpcPort}`,
    node: {
      id: 'sidecar~10.0.0.9~app-1.default~default.svc.cluster.local',
      metadata: { NAMESPACE: 'default', LABELS: { app: 'app' }, INSTANCE_IPS: '10.0.0.9' },
      locality: { region: 'r1', zone: 'z1' },
    },
  });
  t.after(() => client.close());
  client.subscribe(TypeUrl.Listener);
  const lds = (await client.next(TypeUrl.Listener, 10_000)).resources.map((r) => r.body as Json);

  const names = lds.map((l) => l.name);
  assert.ok(names.includes('virtualOutbound') && names.includes('0.0.0.0_9080') && names.includes('10.96.0.10_3306'), names.join(','));
  for (const l of lds) {
    const log = (l.access_log ?? [])[0] as Json | undefined;
    assert.equal(log?.name, 'envoy.access_loggers.file', `listener ${l.name} has the listener access log`);
    assert.deepEqual(log?.filter?.response_flag_filter?.flags, ['NR']);
  }
  const filters = networkFilters(lds);
  const unlogged = filters.filter((f) => !f.chain.endsWith('-blackhole') && !f.typed.access_log?.length);
  assert.deepEqual(unlogged.map((f) => f.chain), [], 'every HTTP manager and tcp_proxy outside the blackhole chains logs');
  const format = filters[0]!.typed.access_log?.[0]?.typed_config;
  assert.equal(format?.path, '/dev/stdout');
  assert.equal(format?.log_format?.json_format?.response_code, '%RESPONSE_CODE%', 'JSON encoding: Istio default fields');
});

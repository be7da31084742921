import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMeshMetrics } from '../../../src/debug/metrics.js';

function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('xDS events are exported under Istio metric names', async () => {
  const m = createMeshMetrics();
  m.xds.connectionOpened('1.24.0');
  m.xds.connectionOpened('1.24.0');
  m.xds.connectionClosed('1.24.0');
  m.xds.pushed('cds', 0.002, 1234);
  m.xds.pushed('cds', 0.004, 10);
  m.xds.pushed('eds', 0.001, 5);
  m.xds.rejected('lds');
  m.xds.converged(0.3);
  m.xds.disconnected('write_timeout');
  m.debounced(0.1);
  m.snapshotSizes(12, 3);
  const { body, contentType } = await m.render();
  assert.match(contentType, /text\/plain/);
  assert.equal(sample(body, 'pilot_xds', '{version="1.24.0"}'), 1);
  assert.equal(sample(body, 'pilot_xds_pushes', '{type="cds"}'), 2);
  assert.equal(sample(body, 'pilot_xds_pushes', '{type="eds"}'), 1);
  assert.equal(sample(body, 'pilot_total_xds_rejects', '{type="lds"}'), 1);
  assert.equal(sample(body, 'pilot_xds_push_time_count', '{type="cds"}'), 2);
  assert.equal(sample(body, 'pilot_xds_config_size_bytes_sum', '{type="cds"}'), 1244);
  assert.equal(sample(body, 'pilot_proxy_convergence_time_count'), 1);
  assert.equal(sample(body, 'pilot_debounce_time_count'), 1);
  assert.equal(sample(body, 'pilot_xds_write_timeout'), 1);
  assert.equal(sample(body, 'pilot_services'), 12);
  assert.equal(sample(body, 'pilot_virt_services'), 3);
  assert.ok(sample(body, 'process_cpu_seconds_total') !== undefined, 'process metrics are exported too');
});

test('each daemon gets its own registry', async () => {
  const a = createMeshMetrics();
  const b = createMeshMetrics();
  a.xds.rejected('cds');
  assert.equal(sample((await b.render()).body, 'pilot_total_xds_rejects', '{type="cds"}'), undefined);
});

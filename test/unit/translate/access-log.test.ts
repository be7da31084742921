import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultMeshConfig, parseMeshConfig, parseMeshConfigDetailed, type MeshConfig } from '../../../src/config/mesh-config.js';
import { renderIssue } from '../../../src/lib/issue.js';
import {
  ISTIO_JSON_LOG_FORMAT,
  ISTIO_TEXT_LOG_FORMAT,
  meshAccessLogs,
  meshLogFormat,
} from '../../../src/translate/common/access-log.js';

type Json = Record<string, unknown>;

function mesh(yaml: string): MeshConfig {
  const r = parseMeshConfig(yaml, 'test');
  if (!r.ok) assert.fail(r.errors.map(renderIssue).join('; '));
  return r.value;
}

const inline = (format: Json) => (format.text_format_source as Json | undefined)?.inline_string;

test('TEXT without accessLogFormat: Istio default line, which ends in a newline and needs no formatter', () => {
  const format = meshLogFormat({ accessLogFormat: '', accessLogEncoding: 'TEXT' });
  assert.equal(inline(format), ISTIO_TEXT_LOG_FORMAT);
  assert.ok(ISTIO_TEXT_LOG_FORMAT.startsWith('[%START_TIME%] "%REQ(:METHOD)% '));
  assert.ok(ISTIO_TEXT_LOG_FORMAT.endsWith('%ROUTE_NAME%\n'));
  assert.equal(format.formatters, undefined);
  assert.equal(format.json_format, undefined);
});

test('TEXT custom format: a newline is appended when missing, kept single when present', () => {
  assert.equal(inline(meshLogFormat({ accessLogFormat: '%RESPONSE_CODE%', accessLogEncoding: 'TEXT' })), '%RESPONSE_CODE%\n');
  assert.equal(inline(meshLogFormat({ accessLogFormat: '%RESPONSE_CODE%\n', accessLogEncoding: 'TEXT' })), '%RESPONSE_CODE%\n');
});

test('%REQ_WITHOUT_QUERY% adds the req_without_query formatter (text and JSON)', () => {
  const names = (f: Json) => ((f.formatters as Json[] | undefined) ?? []).map((x) => x.name);
  assert.deepEqual(names(meshLogFormat({ accessLogFormat: '%REQ_WITHOUT_QUERY(:PATH)%', accessLogEncoding: 'TEXT' })), ['envoy.formatter.req_without_query']);
  assert.deepEqual(names(meshLogFormat({ accessLogFormat: '{"p":"%REQ_WITHOUT_QUERY(:PATH)%"}', accessLogEncoding: 'JSON' })), ['envoy.formatter.req_without_query']);
  assert.deepEqual(names(meshLogFormat({ accessLogFormat: '%REQ(:PATH)%', accessLogEncoding: 'TEXT' })), []);
});

test('JSON without accessLogFormat: Istio default fields, unsorted', () => {
  const format = meshLogFormat({ accessLogFormat: '', accessLogEncoding: 'JSON' });
  assert.deepEqual(format.json_format, ISTIO_JSON_LOG_FORMAT);
  assert.equal(Object.keys(ISTIO_JSON_LOG_FORMAT).length, 24);
  assert.equal(ISTIO_JSON_LOG_FORMAT.upstream_cluster, '%UPSTREAM_CLUSTER_RAW%');
  assert.deepEqual(format.json_format_options, { sort_properties: false });
  assert.equal(format.text_format_source, undefined);
});

test('JSON custom format: parsed as an object; not an object (or not JSON) falls back to the default fields', () => {
  const custom = meshLogFormat({ accessLogFormat: '{"code":"%RESPONSE_CODE%","n":{"b":"%BYTES_SENT%"}}', accessLogEncoding: 'JSON' });
  assert.deepEqual(custom.json_format, { code: '%RESPONSE_CODE%', n: { b: '%BYTES_SENT%' } });
  for (const bad of ['not json', '["a"]', '"x"', '{}']) {
    assert.deepEqual(meshLogFormat({ accessLogFormat: bad, accessLogEncoding: 'JSON' }).json_format, ISTIO_JSON_LOG_FORMAT, bad);
  }
});

test('no accessLogFile and no default providers: no loggers (nothing changes for existing meshes)', () => {
  const logs = meshAccessLogs(defaultMeshConfig());
  assert.deepEqual([logs.filter.length, logs.listener.length], [0, 0]);
});

test('accessLogFile: one file logger; the listener copy filters on NR; built once per mesh config object', () => {
  const m = mesh('accessLogFile: /dev/stdout\n');
  const logs = meshAccessLogs(m);
  assert.equal(logs.filter.length, 1);
  const typed = logs.filter[0]!.typed_config as Json;
  assert.equal(logs.filter[0]!.name, 'envoy.access_loggers.file');
  assert.equal(typed.path, '/dev/stdout');
  assert.deepEqual(logs.listener[0]!.filter, { response_flag_filter: { flags: ['NR'] } });
  assert.equal(meshAccessLogs(m), logs);
  assert.notEqual(meshAccessLogs(mesh('accessLogFile: /dev/stdout\naccessLogEncoding: JSON\n')), logs);
  assert.equal(meshAccessLogs(mesh('accessLogFile: /dev/stdout\ndisableEnvoyListenerLog: true\n')).listener.length, 0);
});

test('defaultProviders.accessLogging replaces accessLogFile: file providers in order, deduplicated, others skipped', () => {
  const m = mesh([
    'accessLogFile: /ignored',
    'extensionProviders:',
    '- {name: a, envoyFileAccessLog: {path: /a.log, logFormat: {text: "%DURATION%"}}}',
    '- {name: b, envoyFileAccessLog: {logFormat: {labels: {}}}}',
    '- {name: z, zipkin: {service: zipkin.istio-system.svc.cluster.local, port: 9411}}',
    'defaultProviders: {accessLogging: [b, a, b, z, nope, envoy]}',
  ].join('\n'));
  const logs = meshAccessLogs(m).filter.map((l) => l.typed_config as Json);
  assert.deepEqual(logs.map((l) => l.path), ['/dev/stdout', '/a.log', '/dev/stdout']);
  assert.deepEqual((logs[0]!.log_format as Json).json_format, ISTIO_JSON_LOG_FORMAT, 'empty labels: default fields');
  assert.equal(inline(logs[1]!.log_format as Json), '%DURATION%\n');
  assert.equal(inline(logs[2]!.log_format as Json), ISTIO_TEXT_LOG_FORMAT, 'built-in envoy provider uses the mesh format');
});

test('mesh config check: a bad envoyFileAccessLog body is an error naming the field; JSON format and non-file providers warn', () => {
  const bad = parseMeshConfig('extensionProviders:\n- {name: f, envoyFileAccessLog: {path: 3, logFormat: {text: a, labels: {x: y}}}}\n', 'test');
  assert.ok(!bad.ok);
  const paths = bad.errors.map((e) => e.path);
  assert.ok(paths.includes('extensionProviders[0].envoyFileAccessLog.path'), paths.join(','));
  assert.ok(paths.some((p) => p.startsWith('extensionProviders[0].envoyFileAccessLog.logFormat')), paths.join(','));

  const out = parseMeshConfigDetailed([
    'accessLogEncoding: JSON',
    'accessLogFormat: "%RESPONSE_CODE%"',
    'extensionProviders: [{name: z, zipkin: {service: z.svc, port: 9411}}]',
    'defaultProviders: {accessLogging: [envoy, z]}',
  ].join('\n'), 'test');
  assert.ok(out.result.ok);
  const warned = out.warnings.map((w) => w.path);
  assert.ok(warned.includes('accessLogFormat'), warned.join(','));
  assert.ok(warned.includes('defaultProviders.accessLogging[1]'), warned.join(','));
  assert.ok(!warned.includes('defaultProviders.accessLogging[0]'), warned.join(','));
});

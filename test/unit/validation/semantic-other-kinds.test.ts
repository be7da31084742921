import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KindName } from '../../../src/model/kinds.js';
import { renderIssue, type ValidationIssue } from '../../../src/lib/issue.js';
import { run, errors, warnings, expectError, table } from '../../helpers/semantic.js';


const server = (extra: Record<string, unknown>): Record<string, unknown> => ({ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['ns/*.example.com'], tls: { mode: 'SIMPLE', credentialName: 'cert' }, ...extra });

table('EnvoyFilter', [
  ['missing applyTo', { configPatches: [{ patch: { operation: 'MERGE', value: {} } }] }, 'spec.configPatches[0].applyTo', 'missing applyTo'],
  ['missing value', { configPatches: [{ applyTo: 'CLUSTER', patch: { operation: 'MERGE' } }] }, 'spec.configPatches[0].patch.value', 'non-remove operation'],
  ['listener applyTo with cluster match', { configPatches: [{ applyTo: 'HTTP_FILTER', match: { cluster: { name: 'x' } }, patch: { operation: 'INSERT_FIRST', value: {} } }] }, 'spec.configPatches[0].match', 'non listener match'],
  ['route applyTo with listener match', { configPatches: [{ applyTo: 'VIRTUAL_HOST', match: { listener: {} }, patch: { operation: 'MERGE', value: {} } }] }, 'spec.configPatches[0].match', 'non route configuration match'],
  ['subFilter outside HTTP_FILTER', { configPatches: [{ applyTo: 'NETWORK_FILTER', match: { listener: { filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager', subFilter: { name: 'x' } } } } }, patch: { operation: 'MERGE', value: {} } }] }, 'spec.configPatches[0].match.listener.filterChain.filter.subFilter', 'HTTP_FILTER only'],
  ['bad proxyVersion regex', { configPatches: [{ applyTo: 'CLUSTER', match: { proxy: { proxyVersion: '1.(' } }, patch: { operation: 'REMOVE' } }] }, 'spec.configPatches[0].match.proxy.proxyVersion', 'invalid regex'],
]);

test('EnvoyFilter always warns; REMOVE needs no value', () => {
  const issues = run('EnvoyFilter', { configPatches: [{ applyTo: 'CLUSTER', match: { cluster: { service: 'a' } }, patch: { operation: 'REMOVE' } }] });
  assert.deepEqual(errors(issues), []);
  assert.match(warnings(issues).join('\n'), /exposes internal implementation details/);
});

table('Telemetry', [
  ['empty provider name', { metrics: [{ providers: [{ name: '' }] }] }, 'spec.metrics[0].providers[0].name', 'may not be empty'],
  ['UPSERT without value', { metrics: [{ overrides: [{ tagOverrides: { foo: { operation: 'UPSERT' } } }] }] }, 'spec.metrics[0].overrides[0].tagOverrides.foo.value', 'value must be set when operation is UPSERT'],
  ['REMOVE with value', { metrics: [{ overrides: [{ tagOverrides: { foo: { operation: 'REMOVE', value: 'x' } } }] }] }, 'spec.metrics[0].overrides[0].tagOverrides.foo.value', 'only be set when operation is UPSERT'],
  ['sampling above 100', { tracing: [{ randomSamplingPercentage: 101 }] }, 'spec.tracing[0].randomSamplingPercentage', '[0.0, 100.0]'],
  ['literal tag empty', { tracing: [{ customTags: { t: { literal: { value: '' } } } }] }, 'spec.tracing[0].customTags.t.literal.value', 'may not be empty'],
]);

table('WasmPlugin', [
  ['url scheme', { url: 'ftp://x/y.wasm' }, 'spec.url', 'url must have schema one of'],
  ['sha256', { url: 'oci://x', sha256: 'XYZ' }, 'spec.sha256', '[a-f0-9]{64}'],
  ['env value with HOST', { url: 'oci://x', vmConfig: { env: [{ name: 'A', valueFrom: 'HOST', value: 'v' }] } }, 'spec.vmConfig.env[0].value', 'only be set when valueFrom is INLINE'],
  ['duplicate env', { url: 'oci://x', vmConfig: { env: [{ name: 'A' }, { name: 'A' }] } }, 'spec.vmConfig.env[1].name', 'duplicate env'],
  ['match port', { url: 'oci://x', match: [{ ports: [{ number: 0 }] }] }, 'spec.match[0].ports[0].number', '1..65535'],
]);

table('ProxyConfig', [['negative concurrency', { concurrency: -1 }, 'spec.concurrency', 'greater than or equal to 0']]);

table('WorkloadEntry', [
  ['address required', { ports: { http: 80 } }, 'spec.address', 'address is required'],
  ['UDS dir', { address: 'unix:///dir/' }, 'spec.address', 'UDS may not be a dir'],
  ['UDS with ports', { address: 'unix://@foo', ports: { http: 80 } }, 'spec.ports', 'UDS may not include ports'],
  ['bad port name', { address: '1.1.1.1', ports: { '@': 80 } }, 'spec.ports', 'invalid port name'],
  ['bad FQDN', { address: 'bad_host!' }, 'spec.address', 'not a valid FQDN or an IP'],
  ['bad label', { address: '1.1.1.1', labels: { app: 'bad value!' } }, 'spec.labels.app', 'invalid tag value'],
]);

table('WorkloadGroup', [
  ['template required', { metadata: {} }, 'spec.template', 'template is required'],
  ['bad probe header', { template: {}, probe: { httpGet: { port: 80, httpHeaders: [{ name: 'bad header' }] } } }, 'spec.probe.httpGet.httpHeaders[0].name', 'not a valid header name'],
  ['probe scheme', { template: {}, probe: { httpGet: { port: 80, scheme: 'FTP' } } }, 'spec.probe.httpGet.scheme', 'must be one of'],
  ['exec without command', { template: {}, probe: { exec: {} } }, 'spec.probe.exec.command', 'required'],
]);

test('WorkloadEntry without address but with a network only warns', () => {
  const issues = run('WorkloadEntry', { network: 'n1' });
  assert.deepEqual(errors(issues), []);
  assert.match(warnings(issues).join('\n'), /address is unset with network/);
});

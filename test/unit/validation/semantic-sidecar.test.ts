import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KindName } from '../../../src/model/kinds.js';
import { renderIssue, type ValidationIssue } from '../../../src/lib/issue.js';
import { run, errors, warnings, expectError, table } from '../../helpers/semantic.js';


const server = (extra: Record<string, unknown>): Record<string, unknown> => ({ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['ns/*.example.com'], tls: { mode: 'SIMPLE', credentialName: 'cert' }, ...extra });

test('a Sidecar with ingress, egress and egress proxy is valid', () => {
  const spec = {
    workloadSelector: { labels: { app: 'ratings' } },
    ingress: [{ port: { number: 9080, protocol: 'HTTP', name: 'http' }, defaultEndpoint: '127.0.0.1:8080' }, { port: { number: 9090, protocol: 'TCP', name: 'uds' }, defaultEndpoint: 'unix:///var/run/app.sock' }],
    egress: [{ port: { number: 0, protocol: 'HTTP', name: 'egresshttp' }, bind: 'unix:///var/run/egress.sock', hosts: ['*/*.example.com'] }, { hosts: ['./*', 'istio-system/*'] }],
    outboundTrafficPolicy: { mode: 'ALLOW_ANY', egressProxy: { host: 'egress.example.com', port: { number: 3128 } } },
  };
  assert.deepEqual(run('Sidecar', spec).map(renderIssue), []);
});

table('Sidecar', [
  ['empty', {}, 'spec', 'empty configuration'],
  ['egress host without namespace', { egress: [{ hosts: ['foo.com'] }] }, 'spec.egress[0].hosts[0]', 'namespace/dnsName'],
  ['egress short name', { egress: [{ hosts: ['ns/foo'] }] }, 'spec.egress[0].hosts[0]', 'short names'],
  ['egress without hosts', { egress: [{ hosts: [] }] }, 'spec.egress[0].hosts', 'at least one host'],
  ['catch-all not last', { egress: [{ hosts: ['*/*'] }, { port: { number: 80, protocol: 'HTTP', name: 'h' }, hosts: ['*/*'] }] }, 'spec.egress[0].port', 'should be the last listener'],
  ['two catch-alls', { egress: [{ port: { number: 80, name: 'h' }, hosts: ['*/*'] }, { hosts: ['*/*'] }, { hosts: ['*/*'] }] }, 'spec.egress[1].port', 'should be the last listener'],
  ['duplicate egress ports', { egress: [{ port: { number: 80, name: 'a' }, hosts: ['*/*'] }, { port: { number: 80, name: 'b' }, hosts: ['*/*'] }] }, 'spec.egress[1].port', 'must be unique'],
  ['port 0 without unix bind', { egress: [{ port: { number: 0, name: 'a' }, hosts: ['*/*'] }] }, 'spec.egress[0].bind', 'unix domain socket bind'],
  ['unix with capture IPTABLES', { egress: [{ port: { number: 0, name: 'a' }, bind: 'unix:///s', captureMode: 'IPTABLES', hosts: ['*/*'] }] }, 'spec.egress[0].captureMode', 'DEFAULT/NONE'],
  ['bad egress bind', { egress: [{ port: { number: 80, name: 'a' }, bind: 'not-ip', hosts: ['*/*'] }] }, 'spec.egress[0].bind', 'not a valid IP'],
  ['ingress without port', { ingress: [{ defaultEndpoint: '127.0.0.1:80' }] }, 'spec.ingress[0].port', 'port is required'],
  ['ingress bad defaultEndpoint host', { ingress: [{ port: { number: 80, name: 'h', protocol: 'HTTP' }, defaultEndpoint: '10.0.0.1:80' }] }, 'spec.ingress[0].defaultEndpoint', 'must be of form'],
  ['ingress defaultEndpoint port', { ingress: [{ port: { number: 80, name: 'h', protocol: 'HTTP' }, defaultEndpoint: '127.0.0.1:abc' }] }, 'spec.ingress[0].defaultEndpoint', 'not a number'],
  ['ingress duplicate ports', { ingress: [{ port: { number: 80, name: 'a' } }, { port: { number: 80, name: 'b' } }] }, 'spec.ingress[1].port.number', 'must be unique'],
  ['ingress tls ISTIO_MUTUAL', { ingress: [{ port: { number: 80, name: 'a', protocol: 'HTTPS' }, tls: { mode: 'ISTIO_MUTUAL' } }] }, 'spec.ingress[0].tls.mode', 'cannot set this mode'],
  ['egressProxy with REGISTRY_ONLY', { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY', egressProxy: { host: 'a.com', port: { number: 1 } } } }, 'spec.outboundTrafficPolicy.egressProxy', 'only with ALLOW_ANY'],
  ['egressProxy without port', { outboundTrafficPolicy: { mode: 'ALLOW_ANY', egressProxy: { host: 'a.com' } } }, 'spec.outboundTrafficPolicy.egressProxy.port', 'must be non-nil'],
  ['selector wildcard', { workloadSelector: { labels: { '*': 'a' } }, egress: [{ hosts: ['*/*'] }] }, 'spec.workloadSelector.labels[*]', 'wildcard'],
]);

test('Sidecar warnings: duplicated egress hosts, empty selector', () => {
  const w = warnings(run('Sidecar', { workloadSelector: {}, egress: [{ hosts: ['ns/a.com', 'ns/a.com', '*/*'] }] })).join('\n');
  assert.match(w, /duplicated egress host/);
  assert.match(w, /will be applied to all services in namespace/);
  assert.match(w, /`\*\/\*` host select all resources/);
});

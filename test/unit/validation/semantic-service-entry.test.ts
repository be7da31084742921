import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KindName } from '../../../src/model/kinds.js';
import { renderIssue, type ValidationIssue } from '../../../src/lib/issue.js';
import { run, errors, warnings, expectError, table } from '../../helpers/semantic.js';


const server = (extra: Record<string, unknown>): Record<string, unknown> => ({ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['ns/*.example.com'], tls: { mode: 'SIMPLE', credentialName: 'cert' }, ...extra });

test('ServiceEntries of each resolution are valid', () => {
  const dns = { hosts: ['api.example.com'], ports: [{ number: 443, name: 'https', protocol: 'TLS' }], resolution: 'DNS', location: 'MESH_EXTERNAL' };
  const stat = { hosts: ['db.internal'], addresses: ['10.1.0.0/16'], ports: [{ number: 5432, name: 'pg', protocol: 'TCP' }], resolution: 'STATIC', endpoints: [{ address: '10.1.2.3', ports: { pg: 15432 } }, { address: 'unix:///var/run/pg.sock' }] };
  const wild = { hosts: ['*.example.com'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], resolution: 'NONE' };
  const dnsEndpoints = { hosts: ['svc'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], resolution: 'DNS', endpoints: [{ address: 'backend.example.com', ports: { http: 8080 } }], exportTo: ['~'] };
  for (const spec of [dns, stat, wild, dnsEndpoints]) assert.deepEqual(errors(run('ServiceEntry', spec)), [], JSON.stringify(spec));
});

const se = (extra: Record<string, unknown>): Record<string, unknown> => ({ hosts: ['a.example.com'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], ...extra });
table('ServiceEntry', [
  ['no hosts', { hosts: [] }, 'spec.hosts', 'at least one host'],
  ['* host', se({ hosts: ['*'] }), 'spec.hosts[0]', 'hostname cannot be wildcard'],
  ['bad host', se({ hosts: ['a_b.com'] }), 'spec.hosts[0]', 'invalid'],
  ['bad address', se({ addresses: ['1.2.3.4/99'] }), 'spec.addresses[0]', 'not a valid CIDR'],
  ['CIDR with DNS', se({ addresses: ['10.0.0.0/24'], resolution: 'DNS' }), 'spec.resolution', 'CIDR addresses are allowed only for NONE/STATIC'],
  ['duplicate port name', se({ ports: [{ number: 1, name: 'a' }, { number: 2, name: 'a' }] }), 'spec.ports[1].name', 'Duplicate value'],
  ['duplicate port number', se({ ports: [{ number: 1, name: 'a' }, { number: 1, name: 'b' }] }), 'spec.ports[1].number', 'already defined'],
  ['port out of range', se({ ports: [{ number: 99999, name: 'a' }] }), 'spec.ports[0].number', '1..65535'],
  ['bad port name', se({ ports: [{ number: 1, name: 'a_b' }] }), 'spec.ports[0].name', 'invalid port name'],
  ['bad protocol', se({ ports: [{ number: 1, name: 'a', protocol: 'SCTP' }] }), 'spec.ports[0].protocol', 'unsupported protocol'],
  ['bad targetPort', se({ ports: [{ number: 1, name: 'a', targetPort: 70000 }], resolution: 'STATIC' }), 'spec.ports[0].targetPort', '1..65535'],
  ['NONE with endpoints', se({ endpoints: [{ address: '1.2.3.4' }] }), 'spec.endpoints', 'NONE mode cannot set endpoints'],
  ['selector and endpoints', se({ resolution: 'STATIC', workloadSelector: { labels: { app: 'a' } }, endpoints: [] }), 'spec.endpoints', 'only one of workloadSelector or endpoints'],
  ['selector wildcard', se({ workloadSelector: { labels: { val: '*' } } }), 'spec.workloadSelector.labels.val', 'wildcard is not supported in selector'],
  ['STATIC endpoint not an IP', se({ resolution: 'STATIC', endpoints: [{ address: 'foo.com' }] }), 'spec.endpoints[0].address', 'not a valid IP address'],
  ['STATIC endpoint port not declared', se({ resolution: 'STATIC', endpoints: [{ address: '1.1.1.1', ports: { grpc: 9000 } }] }), 'spec.endpoints[0].ports.grpc', 'not defined by the service entry'],
  ['unix endpoint with ports', se({ resolution: 'STATIC', endpoints: [{ address: 'unix:///sock', ports: { http: 1 } }] }), 'spec.endpoints[0].ports', 'UDS may not include ports'],
  ['DNS wildcard host without endpoints', se({ hosts: ['*.example.com'], resolution: 'DNS' }), 'spec.hosts[0]', 'hosts must be FQDN'],
  ['DNS_ROUND_ROBIN with two endpoints', se({ resolution: 'DNS_ROUND_ROBIN', endpoints: [{ address: 'a.com' }, { address: 'b.com' }] }), 'spec.endpoints', 'only be 0 or 1 endpoint'],
  ['DNS endpoint bad address', se({ resolution: 'DNS', endpoints: [{ address: 'bad_host' }] }), 'spec.endpoints[0].address', 'not a valid FQDN or an IP'],
  ['multiple hosts with TCP', se({ hosts: ['a.com', 'b.com'], resolution: 'DNS', ports: [{ number: 1, name: 'tcp', protocol: 'TCP' }] }), 'spec.ports[0].protocol', 'multiple hosts provided with non-HTTP, non-TLS ports'],
  ['exportTo ~ with others', se({ exportTo: ['~', 'ns'] }), 'spec.exportTo', 'no one (~) and someone'],
]);

test('ServiceEntry warnings: partial wildcard, selector with NONE, TCP without addresses', () => {
  const w = warnings(run('ServiceEntry', { hosts: ['foo*.com'], workloadSelector: { labels: { app: 'a' } }, ports: [{ number: 1, name: 't', protocol: 'TCP' }] }, { labels: { 'networking.istio.io/enable-autoallocate-ip': 'false' } })).join('\n');
  assert.match(w, /partial wildcard/);
  assert.match(w, /workloadSelector should not be set when resolution mode is NONE/);
  assert.match(w, /addresses are required for ports serving TCP/);
});

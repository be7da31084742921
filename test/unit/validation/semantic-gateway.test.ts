import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KindName } from '../../../src/model/kinds.js';
import { renderIssue, type ValidationIssue } from '../../../src/lib/issue.js';
import { run, errors, warnings, expectError, table } from '../../helpers/semantic.js';


const server = (extra: Record<string, unknown>): Record<string, unknown> => ({ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['ns/*.example.com'], tls: { mode: 'SIMPLE', credentialName: 'cert' }, ...extra });

test('a Gateway with HTTP redirect, HTTPS, passthrough and mutual servers is valid', () => {
  const spec = {
    selector: { istio: 'ingressgateway' },
    servers: [
      { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'], tls: { httpsRedirect: true } },
      server({}),
      { port: { number: 15443, name: 'tls', protocol: 'TLS' }, hosts: ['*/*.local', '1.2.3.4'], tls: { mode: 'AUTO_PASSTHROUGH' } },
      { port: { number: 8443, name: 'mtls', protocol: 'HTTPS' }, hosts: ['./a.example.com'], tls: { mode: 'MUTUAL', serverCertificate: '/c', privateKey: '/k', caCertificates: '/ca', cipherSuites: ['ECDHE-RSA-AES128-GCM-SHA256', '-AES128-SHA'], minProtocolVersion: 'TLSV1_2', maxProtocolVersion: 'TLSV1_3' } },
    ],
  };
  assert.deepEqual(run('Gateway', spec).map(renderIssue), []);
});

table('Gateway', [
  ['no servers', { servers: [] }, 'spec.servers', 'at least one server'],
  ['no hosts', { servers: [server({ hosts: [] })] }, 'spec.servers[0].hosts', 'at least one host'],
  ['short host', { servers: [server({ hosts: ['ns/foo'] })] }, 'spec.servers[0].hosts[0]', 'short names'],
  ['partial wildcard host', { servers: [server({ hosts: ['foo*.com'] })] }, 'spec.servers[0].hosts[0]', 'partial wildcard'],
  ['bad namespace', { servers: [server({ hosts: ['Bad_ns/a.com'] })] }, 'spec.servers[0].hosts[0]', 'invalid namespace value'],
  ['~ namespace', { servers: [server({ hosts: ['~/a.com'] })] }, 'spec.servers[0].hosts[0]', 'invalid namespace value'],
  ['missing port', { servers: [{ hosts: ['a.com'] }] }, 'spec.servers[0].port', 'port is required'],
  ['bad protocol', { servers: [server({ port: { number: 1, name: 'x', protocol: 'QUIC' } })] }, 'spec.servers[0].port.protocol', 'invalid protocol'],
  ['port number', { servers: [server({ port: { number: 0, name: 'x', protocol: 'HTTP' }, tls: undefined })] }, 'spec.servers[0].port.number', '1..65535'],
  ['port name', { servers: [server({ port: { number: 1, protocol: 'HTTP' }, tls: undefined })] }, 'spec.servers[0].port.name', 'port name must be set'],
  ['targetPort', { servers: [server({ port: { number: 1, name: 'a', protocol: 'HTTP', targetPort: 8080 }, tls: undefined })] }, 'spec.servers[0].port.targetPort', 'no impact on Gateways'],
  ['bad bind', { servers: [server({ bind: 'localhost' })] }, 'spec.servers[0].bind', 'not a valid IP'],
  ['unix bind needs port 0', { servers: [server({ bind: 'unix:///sock' })] }, 'spec.servers[0].port.number', 'must be 0 for unix domain socket'],
  ['HTTPS without tls', { servers: [server({ tls: undefined })] }, 'spec.servers[0].tls', 'must have TLS settings'],
  ['TCP with tls', { servers: [server({ port: { number: 31400, name: 'tcp', protocol: 'TCP' } })] }, 'spec.servers[0].tls', 'non HTTPS/TLS ports'],
  ['HTTP with certificates', { servers: [server({ port: { number: 80, name: 'http', protocol: 'HTTP' }, tls: { mode: 'SIMPLE', credentialName: 'x' } })] }, 'spec.servers[0].tls', 'plain text HTTP ports'],
  ['SIMPLE without certificate', { servers: [server({ tls: { mode: 'SIMPLE' } })] }, 'spec.servers[0].tls.serverCertificate', 'SIMPLE TLS requires a server certificate'],
  ['MUTUAL without CA', { servers: [server({ tls: { mode: 'MUTUAL', serverCertificate: '/c', privateKey: '/k' } })] }, 'spec.servers[0].tls.caCertificates', 'client CA bundle'],
  ['ISTIO_MUTUAL with credential', { servers: [server({ tls: { mode: 'ISTIO_MUTUAL', credentialName: 'x' } })] }, 'spec.servers[0].tls.credentialName', 'ISTIO_MUTUAL TLS cannot have'],
  ['CRL with SIMPLE', { servers: [server({ tls: { mode: 'SIMPLE', serverCertificate: '/c', privateKey: '/k', caCrl: '/crl' } })] }, 'spec.servers[0].tls.caCrl', 'not supported with SIMPLE'],
  ['min above max TLS', { servers: [server({ tls: { mode: 'SIMPLE', credentialName: 'c', minProtocolVersion: 'TLSV1_3', maxProtocolVersion: 'TLSV1_2' } })] }, 'spec.servers[0].tls.minProtocolVersion', 'must not be higher'],
  ['duplicate port names', { servers: [server({}), server({ port: { number: 8443, name: 'https', protocol: 'HTTPS' } })] }, 'spec.servers[1].port.name', 'must be unique'],
]);

test('Gateway name must be a DNS label', () => expectError(run('Gateway', { servers: [server({})] }, { name: 'my.gateway' }), 'metadata.name', 'invalid gateway name'));

test('Gateway warnings: invalid cipher suites, passthrough with certificates, httpsRedirect on TLS', () => {
  const spec = { servers: [server({ tls: { mode: 'SIMPLE', credentialName: 'c', cipherSuites: ['NOT-A-CIPHER'] } }), server({ port: { number: 9443, name: 'p', protocol: 'TLS' }, tls: { mode: 'PASSTHROUGH', credentialName: 'x', httpsRedirect: true } })] };
  const issues = run('Gateway', spec);
  assert.deepEqual(errors(issues), []);
  const w = warnings(issues).join('\n');
  assert.match(w, /spec\.servers\[0\]\.tls\.cipherSuites.*invalid cipher suites/);
  assert.match(w, /PASSTHROUGH mode does not use certificates/);
  assert.match(w, /httpsRedirect should only be used with http servers/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubePortProtocol, parseProtocol } from '../../../src/model/registry/protocol.js';

test('kubePortProtocol follows name prefix, appProtocol, UDP and well-known ports', () => {
  const cases: Array<[number, string | undefined, string | undefined, string | undefined, string]> = [
    [80, 'http', 'TCP', undefined, 'HTTP'],
    [80, 'http-foo', undefined, undefined, 'HTTP'],
    [80, 'GRPC-Web', undefined, undefined, 'GRPC-Web'],
    [80, 'grpc-web-x', undefined, undefined, 'GRPC-Web'],
    [80, 'grpcweb', undefined, undefined, 'UnsupportedProtocol'],
    [80, 'foo', undefined, 'https', 'HTTPS'],
    [80, 'http', undefined, 'tcp', 'TCP'],
    [80, 'http', 'UDP', 'grpc', 'UDP'],
    [80, undefined, undefined, 'kubernetes.io/h2c', 'HTTP2'],
    [3306, 'db', undefined, undefined, 'TCP'],
    [3306, 'http', undefined, undefined, 'HTTP'],
    [8080, '', undefined, undefined, 'UnsupportedProtocol'],
  ];
  for (const [port, name, l4, app, want] of cases) assert.equal(kubePortProtocol(port, name, l4, app), want, `${port} ${name} ${l4} ${app}`);
});

test('parseProtocol is case-insensitive', () => {
  assert.equal(parseProtocol('MongO'), 'Mongo');
  assert.equal(parseProtocol('http_proxy'), 'HTTP_PROXY');
  assert.equal(parseProtocol('thrift'), 'UnsupportedProtocol');
  assert.equal(parseProtocol(undefined), 'UnsupportedProtocol');
});

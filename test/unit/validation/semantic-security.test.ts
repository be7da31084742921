import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KindName } from '../../../src/model/kinds.js';
import { renderIssue, type ValidationIssue } from '../../../src/lib/issue.js';
import { run, errors, warnings, expectError, table } from '../../helpers/semantic.js';


const server = (extra: Record<string, unknown>): Record<string, unknown> => ({ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['ns/*.example.com'], tls: { mode: 'SIMPLE', credentialName: 'cert' }, ...extra });

test('AuthorizationPolicies of each action are valid', () => {
  const allow = { selector: { matchLabels: { app: 'a' } }, rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/x'] } }], to: [{ operation: { methods: ['GET'], paths: ['/api/{*}'], ports: ['8080'] } }], when: [{ key: 'request.auth.claims[iss]', values: ['x'] }, { key: 'source.ip', values: ['10.0.0.0/8'] }] }] };
  const deny = { action: 'DENY', rules: [{ from: [{ source: { ipBlocks: ['1.2.3.4'] } }] }] };
  const custom = { action: 'CUSTOM', provider: { name: 'ext-authz' }, rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] };
  const allowNothing = {};
  for (const spec of [allow, deny, custom, allowNothing]) assert.deepEqual(errors(run('AuthorizationPolicy', spec)), [], JSON.stringify(spec));
});

const rule = (r: Record<string, unknown>): Record<string, unknown> => ({ rules: [r] });
table('AuthorizationPolicy', [
  ['CUSTOM without rules', { action: 'CUSTOM', provider: { name: 'p' } }, 'spec.rules', 'CUSTOM action without `rules`'],
  ['CUSTOM without provider', { action: 'CUSTOM', rules: [{}] }, 'spec.provider.name', 'must not be empty'],
  ['provider on ALLOW', { provider: { name: 'p' }, rules: [{}] }, 'spec.provider', 'non CUSTOM action'],
  ['DENY without rules', { action: 'DENY' }, 'spec.rules', 'DENY action without `rules`'],
  ['CUSTOM with principals', { action: 'CUSTOM', provider: { name: 'p' }, rules: [{ from: [{ source: { principals: ['a'] } }] }] }, 'spec.rules[0].from[0].source.principals', 'not supported with CUSTOM'],
  ['selector and targetRefs', { selector: { matchLabels: { a: 'b' } }, targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'g' }] }, 'spec', 'only one of targetRefs or workloadSelector'],
  ['targetRef kind', { targetRefs: [{ kind: 'Pod', group: '', name: 'p' }] }, 'spec.targetRefs[0]', 'targetRef must be to one of'],
  ['targetRef namespace', { targetRef: { kind: 'Service', group: '', name: 's', namespace: 'other' } }, 'spec.targetRef.namespace', 'cross namespace'],
  ['empty from', rule({ from: [] }), 'spec.rules[0].from', '`from` must not be empty'],
  ['empty source', rule({ from: [{ source: {} }] }), 'spec.rules[0].from[0].source', 'must not be empty'],
  ['bad ipBlock', rule({ from: [{ source: { ipBlocks: ['1.2.3.4/40'] } }] }), 'spec.rules[0].from[0].source.ipBlocks[0]', 'bad CIDR range'],
  ['bad remoteIpBlock', rule({ from: [{ source: { remoteIpBlocks: ['nope'] } }] }), 'spec.rules[0].from[0].source.remoteIpBlocks[0]', 'bad IP address'],
  ['empty value', rule({ from: [{ source: { namespaces: [''] } }] }), 'spec.rules[0].from[0].source.namespaces[0]', 'empty value not allowed'],
  ['empty operation', rule({ to: [{ operation: {} }] }), 'spec.rules[0].to[0].operation', 'must not be empty'],
  ['bad port', rule({ to: [{ operation: { ports: ['70000'] } }] }), 'spec.rules[0].to[0].operation.ports[0]', 'bad port'],
  ['bad path template', rule({ to: [{ operation: { paths: ['/{*}/foo/{bar}'] } }] }), 'spec.rules[0].to[0].operation.paths[0]', 'unsupported path template'],
  ['when without values', rule({ when: [{ key: 'source.ip' }] }), 'spec.rules[0].when[0]', 'at least one of values or notValues'],
  ['unknown when key', rule({ when: [{ key: 'source.user', values: ['a'] }] }), 'spec.rules[0].when[0].key', 'unknown attribute'],
  ['when header key format', rule({ when: [{ key: 'request.headers', values: ['a'] }] }), 'spec.rules[0].when[0].key', 'should have format a[b]'],
  ['when destination.port', rule({ when: [{ key: 'destination.port', values: ['abc'] }] }), 'spec.rules[0].when[0].key', 'bad port'],
  ['when destination.labels', rule({ when: [{ key: 'destination.labels[app]', values: ['a'] }] }), 'spec.rules[0].when[0].key', 'replaced by the workload selector'],
]);

test('AuthorizationPolicy DENY with HTTP-only attributes warns about TCP ports', () => {
  const w = warnings(run('AuthorizationPolicy', { action: 'DENY', rules: [{ to: [{ operation: { methods: ['POST'] } }] }] })).join('\n');
  assert.match(w, /deny all traffic to TCP ports/);
});

test('AuthorizationPolicy dry-run annotation must be a boolean and only on ALLOW/DENY', () => {
  expectError(run('AuthorizationPolicy', {}, { annotations: { 'istio.io/dry-run': 'maybe' } }), 'metadata.annotations[istio.io/dry-run]', 'boolean');
  expectError(run('AuthorizationPolicy', { action: 'AUDIT', rules: [{}] }, { annotations: { 'istio.io/dry-run': 'true' } }), 'metadata.annotations[istio.io/dry-run]', 'only supports action ALLOW/DENY');
});

test('RequestAuthentication and PeerAuthentication valid documents', () => {
  const ra = { selector: { matchLabels: { app: 'a' } }, jwtRules: [{ issuer: 'https://issuer', jwks: '{"keys":[{"kty":"RSA","n":"x","e":"AQAB"}]}', fromHeaders: [{ name: 'x-jwt', prefix: 'Bearer ' }], outputClaimToHeaders: [{ header: 'x-sub', claim: 'sub' }], timeout: '5s' }] };
  assert.deepEqual(errors(run('RequestAuthentication', ra)), []);
  assert.deepEqual(errors(run('PeerAuthentication', { selector: { matchLabels: { app: 'a' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { '8080': { mode: 'DISABLE' } } })), []);
});

table('RequestAuthentication', [
  ['issuer required', { jwtRules: [{ jwksUri: 'https://a/jwks' }] }, 'spec.jwtRules[0].issuer', 'issuer must be set'],
  ['jwksUri scheme', { jwtRules: [{ issuer: 'i', jwksUri: 'ftp://a/jwks' }] }, 'spec.jwtRules[0].jwksUri', 'not supported'],
  ['jwks not JSON', { jwtRules: [{ issuer: 'i', jwks: '{nope' }] }, 'spec.jwtRules[0].jwks', 'jwks parse error'],
  ['jwks without kty', { jwtRules: [{ issuer: 'i', jwks: '{"keys":[{"n":"x"}]}' }] }, 'spec.jwtRules[0].jwks', 'kty'],
  ['empty audience', { jwtRules: [{ issuer: 'i', audiences: [''] }] }, 'spec.jwtRules[0].audiences[0]', 'non-empty'],
  ['output header name', { jwtRules: [{ issuer: 'i', outputClaimToHeaders: [{ header: 'bad header', claim: 'c' }] }] }, 'spec.jwtRules[0].outputClaimToHeaders[0].header', 'not a valid header name'],
  ['timeout', { jwtRules: [{ issuer: 'i', timeout: '0s' }] }, 'spec.jwtRules[0].timeout', 'greater than 1ms'],
  ['selector and targetRef', { selector: { matchLabels: { a: 'b' } }, targetRef: { kind: 'Service', name: 's' } }, 'spec', 'only one of'],
]);

table('PeerAuthentication', [
  ['port level without selector', { portLevelMtls: { '80': { mode: 'STRICT' } } }, 'spec.portLevelMtls', 'requires selector'],
  ['port out of range', { selector: { matchLabels: { a: 'b' } }, portLevelMtls: { '0': { mode: 'STRICT' } } }, 'spec.portLevelMtls[0]', 'between 1-65535'],
  ['empty port level map', { selector: { matchLabels: { a: 'b' } }, portLevelMtls: {} }, 'spec.portLevelMtls', 'at least one element'],
]);

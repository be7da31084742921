/**
 * AuthorizationPolicy compiler: replays of Istio's authorization bulletins (the compiled filter,
 * run through the Envoy RBAC interpreter, refuses what the bulletin let through), selection by
 * scope, and the shapes Istio's builder gives to empty rules, dry-run and TCP chains.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigObject } from '../../../src/model/config.js';
import type { AuthorizationPolicySpec } from '../../../src/model/types/security.js';
import { appliesTo, buildRbacFilters, trustDomainBundle, withTrustDomainAliases, type SelectedPolicies } from '../../../src/translate/common/authz/index.js';
import { chainAllows, type EnvoyRequest } from '../../helpers/envoy-rbac-interpreter.js';

type Json = Record<string, unknown>;
const TD = trustDomainBundle('cluster.local', []);

function policy(spec: AuthorizationPolicySpec, meta: Partial<{ name: string; namespace: string; annotations: Record<string, string> }> = {}): ConfigObject {
  return { kind: 'AuthorizationPolicy', apiVersion: 'security.istio.io/v1', metadata: { name: meta.name ?? 'p', namespace: meta.namespace ?? 'default', ...(meta.annotations ? { annotations: meta.annotations } : {}) }, spec } as unknown as ConfigObject;
}

function appliedAlone(p: ConfigObject): SelectedPolicies {
  const action = (p.spec as AuthorizationPolicySpec).action ?? 'ALLOW';
  return { custom: action === 'CUSTOM' ? [p] : [], deny: action === 'DENY' ? [p] : [], allow: action === 'ALLOW' ? [p] : [], audit: action === 'AUDIT' ? [p] : [] };
}

function http(peer: string | undefined, extra: Partial<{ method: string; host: string; path: string }> = {}): EnvoyRequest {
  return {
    ...(peer ? { peerUriSan: peer } : {}),
    directRemoteIp: '10.0.0.1', remoteIp: '10.0.0.1', destinationIp: '10.0.0.9', destinationPort: 8080,
    headers: { ':method': extra.method ?? 'GET', ':authority': extra.host ?? 'svc', ':path': extra.path ?? '/' },
    metadata: {},
  };
}

const allows = (p: ConfigObject, req: EnvoyRequest, tcp = false) => chainAllows(buildRbacFilters(appliedAlone(p), tcp, TD).filters as Json[], req);

test('bulletin: serviceAccounts "a.b" does not admit service account "axb" (dot escaped)', () => {
  const p = policy({ action: 'ALLOW', rules: [{ from: [{ source: { serviceAccounts: ['a.b', 'other/x.y'] } }] }] });
  assert.equal(allows(p, http('spiffe://cluster.local/ns/default/sa/a.b')), true);
  assert.equal(allows(p, http('spiffe://cluster.local/ns/default/sa/axb')), false);
  assert.equal(allows(p, http('spiffe://cluster.local/ns/other/sa/x.y')), true);
  assert.equal(allows(p, http('spiffe://cluster.local/ns/other/sa/xzy')), false);
  assert.equal(allows(p, http('spiffe://cluster.local/ns/default/sa/a.b-junk')), false, 'no trailing junk');
});

test('bulletin: suffix principals stay suffixes of the SPIFFE URI and escape regex characters', () => {
  const p = policy({ action: 'DENY', rules: [{ from: [{ source: { principals: ['*.evil/sa/x'] } }] }] });
  assert.equal(allows(p, http('spiffe://td/ns/a.evil/sa/x')), false, 'the written suffix is denied');
  assert.equal(allows(p, http('spiffe://td/ns/aXevil/sa/x')), true, '"." is literal, not any character');
  const allow = policy({ rules: [{ from: [{ source: { principals: ['*/ns/foo/sa/bar'] } }] }] });
  assert.equal(allows(allow, http('spiffe://any-td/ns/foo/sa/bar')), true, 'a suffix principal matches (Istio once emitted a suffix that never matched)');
  assert.equal(allows(allow, http('spiffe://any-td/ns/foo/sa/barn')), false);
});

test('namespace wildcards stay inside the namespace segment', () => {
  const p = policy({ rules: [{ from: [{ source: { namespaces: ['*a'] } }] }] });
  assert.equal(allows(p, http('spiffe://td/ns/alpha/sa/x')), true);
  assert.equal(allows(p, http('spiffe://td/ns/b/sa/a')), false, 'must not match through "b/sa"');
});

test('bulletin: hosts are matched case-insensitively', () => {
  const p = policy({ action: 'DENY', rules: [{ to: [{ operation: { hosts: ['admin.example.com'] } }] }] });
  assert.equal(allows(p, http(undefined, { host: 'ADMIN.Example.com' })), false);
  assert.equal(allows(p, http(undefined, { host: 'other.example.com' })), true);
});

test('bulletin: a host without a port is matched with any port; a host with a port only on that port', () => {
  const deny = policy({ action: 'DENY', rules: [{ to: [{ operation: { hosts: ['example.com'] } }] }] });
  for (const host of ['example.com', 'example.com:80', 'EXAMPLE.COM', 'Example.Com:8080']) {
    assert.equal(allows(deny, http(undefined, { host })), false, `DENY example.com must refuse ${host}`);
  }
  for (const host of ['example.com.evil', 'example.com:80x', 'xexample.com:80', 'other.com:80']) {
    assert.equal(allows(deny, http(undefined, { host })), true, `DENY example.com must not refuse ${host}`);
  }
  const suffix = policy({ action: 'DENY', rules: [{ to: [{ operation: { hosts: ['*.example.com'] } }] }] });
  assert.equal(allows(suffix, http(undefined, { host: 'api.example.com:443' })), false, 'suffix hosts cover ports too');
  const allow = policy({ rules: [{ to: [{ operation: { hosts: ['example.com:80'] } }] }] });
  assert.equal(allows(allow, http(undefined, { host: 'example.com:80' })), true);
  assert.equal(allows(allow, http(undefined, { host: 'EXAMPLE.com:80' })), true);
  for (const host of ['example.com', 'example.com:8080', 'example.com:800']) {
    assert.equal(allows(allow, http(undefined, { host })), false, `ALLOW example.com:80 must not admit ${host}`);
  }
  const notHosts = policy({ action: 'DENY', rules: [{ to: [{ operation: { notHosts: ['example.com'] } }] }] });
  assert.equal(allows(notHosts, http(undefined, { host: 'example.com:80' })), true, 'notHosts excludes every port of the host');
  assert.equal(allows(notHosts, http(undefined, { host: 'other.com' })), false);
});

test('TCP: HTTP-only fields widen a DENY rule and drop an ALLOW rule', () => {
  const tcpReq: EnvoyRequest = { peerUriSan: 'spiffe://cluster.local/ns/foo/sa/bar', directRemoteIp: '10.0.0.1', remoteIp: '10.0.0.1', destinationIp: '10.0.0.9', destinationPort: 9090, metadata: {} };
  const deny = policy({ action: 'DENY', rules: [{ to: [{ operation: { methods: ['POST'] } }] }] });
  assert.equal(allows(deny, tcpReq, true), false, 'a DENY on methods denies every TCP connection');
  const allow = policy({ rules: [{ to: [{ operation: { methods: ['GET'] } }] }] });
  assert.equal(allows(allow, tcpReq, true), false, 'an ALLOW on methods allows no TCP connection');
  const filters = buildRbacFilters(appliedAlone(allow), true, TD).filters as Json[];
  assert.deepEqual((filters[0]!.typed_config as Json).rules, { action: 'ALLOW', policies: {} });
  assert.equal((filters[0]!.typed_config as Json).stat_prefix, 'tcp.');
});

test('empty rules: [{}] matches everything, no rules matches nothing', () => {
  assert.equal(allows(policy({ rules: [{}] }), http(undefined)), true);
  assert.equal(allows(policy({ action: 'ALLOW' }), http('spiffe://cluster.local/ns/a/sa/b')), false);
  assert.equal(allows(policy({ action: 'DENY', rules: [{}] }), http(undefined)), false);
});

test('dry-run policies become shadow rules with Istio stat prefixes and never enforce', () => {
  const dry = policy({ action: 'DENY', rules: [{}] }, { annotations: { 'istio.io/dry-run': 'true' } });
  const [filter] = buildRbacFilters(appliedAlone(dry), false, TD).filters as Json[];
  const cfg = filter!.typed_config as Json;
  assert.equal(cfg.rules, undefined);
  assert.deepEqual(Object.keys((cfg.shadow_rules as Json).policies as Json), ['ns[default]-policy[p]-rule[0]']);
  assert.equal(cfg.shadow_rules_stat_prefix, 'istio_dry_run_deny_');
  assert.equal(allows(dry, http(undefined)), true);
});

test('selection: selector, root namespace, targetRefs', () => {
  const w = { namespace: 'default', labels: { app: 'client' } };
  assert.equal(appliesTo(policy({ selector: { matchLabels: { app: 'client' } } }), w), true);
  assert.equal(appliesTo(policy({ selector: { matchLabels: { app: 'other' } } }), w), false);
  assert.equal(appliesTo(policy({}), w), true);
  assert.equal(appliesTo(policy({ targetRefs: [{ kind: 'Service', group: '', name: 'client' }] }), w), false);
  const gw = { namespace: 'default', labels: { 'gateway.networking.k8s.io/gateway-name': 'gw' } };
  assert.equal(appliesTo(policy({ targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'gw' }] }), gw), true);
});

test('trust domain aliases expand local principals only', () => {
  const b = trustDomainBundle('new.td', ['old.td']);
  assert.deepEqual(withTrustDomainAliases(['cluster.local/ns/a/sa/b', 'old.td/ns/a/sa/c', 'x.org/ns/a/sa/d', '*'], b),
    ['new.td/ns/a/sa/b', 'old.td/ns/a/sa/b', 'new.td/ns/a/sa/c', 'old.td/ns/a/sa/c', 'x.org/ns/a/sa/d', '*']);
});

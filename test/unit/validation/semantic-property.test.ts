import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KINDS } from '../../../src/model/kinds.js';
import { validateSemantics } from '../../../src/model/validation/semantic/index.js';

const istioKinds = KINDS.filter((k) => k.istio);

// Field names the rules read, so that arbitrary values land where they are looked at.
const KEYS = [
  'hosts', 'gateways', 'http', 'tcp', 'tls', 'match', 'route', 'destination', 'host', 'subset', 'port', 'number', 'weight', 'headers',
  'request', 'response', 'set', 'add', 'remove', 'uri', 'regex', 'prefix', 'exact', 'redirect', 'rewrite', 'fault', 'abort', 'delay',
  'retries', 'timeout', 'mirror', 'mirrors', 'corsPolicy', 'allowOrigins', 'trafficPolicy', 'subsets', 'loadBalancer', 'consistentHash',
  'localityLbSetting', 'distribute', 'failover', 'to', 'from', 'outlierDetection', 'connectionPool', 'servers', 'hosts', 'selector',
  'matchLabels', 'labels', 'workloadSelector', 'endpoints', 'ports', 'addresses', 'resolution', 'exportTo', 'egress', 'ingress',
  'rules', 'when', 'key', 'values', 'source', 'operation', 'action', 'provider', 'jwtRules', 'jwks', 'jwksUri', 'portLevelMtls',
  'configPatches', 'applyTo', 'patch', 'value', 'metrics', 'tracing', 'overrides', 'tagOverrides', 'template', 'probe', 'httpGet',
  'sniHosts', 'delegate', 'directResponse', 'body', 'string', 'targetRef', 'targetRefs', 'name', 'kind', 'mode', 'bind', 'url', 'vmConfig',
  'env', 'address', 'protocol', 'maglev', 'tableSize', 'portLevelSettings', 'tunnel', 'outboundTrafficPolicy', 'egressProxy',
];

const scalar = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom('*', 'a.b.com', '1.2.3.4/40', '5s', 'unix:///x/', 'ns/host', '('));
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('arr'), tie('obj')),
  arr: fc.array(tie('node'), { maxLength: 4 }),
  obj: fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string()), tie('node'), { maxKeys: 6 }),
})).node;

test('validateSemantics never throws, whatever the spec, for every Istio kind', () => {
  fc.assert(
    fc.property(fc.constantFrom(...istioKinds), value, fc.string(), (info, spec, name) => {
      const obj = {
        kind: info.kind,
        apiVersion: `${info.group}/${info.versions[0]}`,
        metadata: { name, namespace: 'default', labels: {}, annotations: {} },
        spec: spec as Record<string, unknown>,
      };
      const issues = validateSemantics(obj, { domain: 'cluster.local' });
      assert.ok(Array.isArray(issues));
      assert.ok(issues.every((i) => i.reason !== 'Internal error'), JSON.stringify(issues.filter((i) => i.reason === 'Internal error')));
    }),
    { numRuns: 3000 },
  );
});

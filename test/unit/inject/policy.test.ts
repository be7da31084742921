import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shouldInject } from '../../../src/inject/policy.js';
import { buildInjectorConfig, defaultInjectorConfig } from '../../../src/inject/injector-config.js';
import { makePod } from './fixtures.js';

const enabled = defaultInjectorConfig();
const disabled = { ...enabled, policy: 'disabled' as const };

test('label and deprecated annotation: YAML truthy values inject, anything else does not; the label wins', () => {
  for (const v of ['y', 'yes', 'true', 'on', 'TRUE', 'On']) assert.equal(shouldInject(makePod({ 'sidecar.istio.io/inject': v }), 'default', disabled).inject, true, v);
  for (const v of ['false', 'no', 'off', 'nonsense']) assert.equal(shouldInject(makePod({ 'sidecar.istio.io/inject': v }), 'default', enabled).inject, false, v);
  assert.equal(shouldInject(makePod({}, { 'sidecar.istio.io/inject': 'true' }), 'default', disabled).inject, true);
  const both = shouldInject(makePod({ 'sidecar.istio.io/inject': 'false' }, { 'sidecar.istio.io/inject': 'true' }), 'default', enabled);
  assert.deepEqual(both, { inject: false, reason: 'label sidecar.istio.io/inject=false' });
});

test('policy decides when nothing is written; hostNetwork, system namespaces and injected pods are skipped', () => {
  assert.equal(shouldInject(makePod(), 'default', enabled).inject, true);
  assert.equal(shouldInject(makePod(), 'default', disabled).inject, false);
  assert.equal(shouldInject(makePod({ 'sidecar.istio.io/inject': 'true' }, {}, { hostNetwork: true }), 'default', enabled).inject, false);
  for (const ns of ['kube-system', 'kube-public', 'kube-node-lease']) {
    const pod = makePod({ 'sidecar.istio.io/inject': 'true' });
    (pod.metadata as Record<string, unknown>).namespace = ns;
    assert.equal(shouldInject(pod, ns, enabled).inject, false, ns);
  }
  assert.equal(shouldInject(makePod({}, { 'sidecar.istio.io/status': '{}' }), 'default', enabled).inject, false);
});

test('neverInjectSelector beats alwaysInjectSelector; an explicit label beats both', () => {
  const parsed = buildInjectorConfig({
    policy: 'disabled',
    neverInjectSelector: [{ matchExpressions: [{ key: 'batch', operator: 'Exists' }] }],
    alwaysInjectSelector: [{ matchLabels: { team: 'a' } }, {}],
  });
  assert.ok(parsed.ok);
  const cfg = parsed.value;
  assert.equal(shouldInject(makePod({ team: 'a' }), 'default', cfg).inject, true);
  assert.equal(shouldInject(makePod({ team: 'a', batch: '1' }), 'default', cfg).inject, false);
  assert.equal(shouldInject(makePod({ team: 'a', batch: '1', 'sidecar.istio.io/inject': 'true' }), 'default', cfg).inject, true);
  assert.equal(shouldInject(makePod({ team: 'b' }), 'default', cfg).inject, false, 'an empty selector matches nothing');
});

test('injector config errors name the field path', () => {
  const bad = buildInjectorConfig({
    policy: 'sometimes',
    neverInjectSelector: [{ matchExpressions: [{ key: 'a', operator: 'Near', values: [] }] }],
    alwaysInjectSelector: 'all',
    templates: { custom: 7, broken: 'metadata: [' },
    defaultTemplates: 'sidecar',
  }, 'config.');
  assert.ok(!bad.ok);
  const paths = bad.errors.map((e) => e.path).sort();
  assert.deepEqual(paths, [
    'config.alwaysInjectSelector',
    'config.defaultTemplates',
    'config.neverInjectSelector[0].matchExpressions[0].operator',
    'config.policy',
    'config.templates[broken]',
    'config.templates[custom]',
  ]);
});

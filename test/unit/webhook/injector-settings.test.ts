/**
 * Injector settings sources: the ConfigMap cache (hot reload, last good kept on an invalid
 * version, defaults when deleted) and the injection directory (files hot reloaded).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { injectorConfigMapName, watchInjectionFiles, watchInjectorConfigMap } from '../../../src/bootstrap/injector-settings.js';
import type { Logger } from '../../../src/lib/logger.js';
import { silentLogger } from '../../../src/lib/logger.js';
import type { KubeConfigMap } from '../../../src/sources/kubernetes/configmap-convert.js';
import type { ResourceCacheView } from '../../../src/sources/kubernetes/resource-cache.js';
import { waitFor } from '../../helpers/wait-for.js';

function fakeCache() {
  const items = new Map<string, KubeConfigMap>();
  const listeners = new Set<(keys: readonly string[]) => void>();
  const view: ResourceCacheView<KubeConfigMap> = {
    get: (ns, name) => items.get(`${ns}/${name}`),
    onChange: (l) => (listeners.add(l), () => void listeners.delete(l)),
    get size() {
      return items.size;
    },
  };
  let rv = 0;
  return {
    view,
    put(ns: string, name: string, data: Record<string, string>) {
      items.set(`${ns}/${name}`, { metadata: { name, namespace: ns, resourceVersion: String(++rv), labels: {}, annotations: {} }, data: new Map(Object.entries(data)), binaryData: new Map() } as unknown as KubeConfigMap);
      for (const l of listeners) l([`${ns}/${name}`]);
    },
    remove(ns: string, name: string) {
      items.delete(`${ns}/${name}`);
      for (const l of listeners) l([`${ns}/${name}`]);
    },
  };
}

function recordingLogger(errors: unknown[]): Logger {
  return { ...silentLogger, error: (obj: unknown) => void errors.push(obj), child: () => recordingLogger(errors) } as Logger;
}

test('ConfigMap names follow the revision', () => {
  assert.equal(injectorConfigMapName(undefined), 'istio-sidecar-injector');
  assert.equal(injectorConfigMapName('default'), 'istio-sidecar-injector');
  assert.equal(injectorConfigMapName('canary'), 'istio-sidecar-injector-canary');
});

test('ConfigMap: defaults until it appears, reloads, keeps the last good version on an invalid one (logging the field path), defaults when deleted', () => {
  const cache = fakeCache();
  const errors: unknown[] = [];
  const source = watchInjectorConfigMap(cache.view, 'istio-system', 'istio-sidecar-injector', recordingLogger(errors));
  assert.equal(source.current().config.policy, 'enabled');
  cache.put('istio-system', 'istio-sidecar-injector', { config: 'policy: disabled\n', values: 'global:\n  hub: example.com/istio\n' });
  assert.equal(source.current().config.policy, 'disabled');
  assert.equal(source.current().values.global.hub, 'example.com/istio');
  cache.put('istio-system', 'istio-sidecar-injector', { config: 'policy: sometimes\n' });
  assert.equal(source.current().config.policy, 'disabled', 'last good version kept');
  assert.match(JSON.stringify(errors), /config\.policy/);
  cache.put('istio-system', 'other', { config: 'policy: enabled\n' });
  assert.equal(source.current().config.policy, 'disabled', 'another ConfigMap changes nothing');
  cache.remove('istio-system', 'istio-sidecar-injector');
  assert.equal(source.current().config.policy, 'enabled');
  source.close();
});

test('injection directory: config and values files are read and hot reloaded', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'istiod-ts-inject-dir-'));
  try {
    await writeFile(join(dir, 'config'), 'policy: disabled\n');
    const source = await watchInjectionFiles(dir, silentLogger);
    assert.equal(source.current().config.policy, 'disabled');
    await writeFile(join(dir, 'config'), 'policy: enabled\nneverInjectSelector:\n- matchLabels: {skip: "yes"}\n');
    await waitFor('reload', () => source.current().config.policy === 'enabled', 5000);
    assert.equal(source.current().config.neverInjectSelector.length, 1);
    source.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

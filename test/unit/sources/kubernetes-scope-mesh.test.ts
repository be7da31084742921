/**
 * ConfigMap istio (key mesh) watched for the mesh config: one object only (a field selector on
 * the path, and a guard against servers ignoring it), valid versions handed on once each, an
 * invalid one reported with the last good mesh config kept, a delete meaning the defaults.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMeshConfigWatch, meshConfigMapPath } from '../../../src/sources/kubernetes/mesh-config-watch.js';
import type { KubeObject } from '../../../src/sources/kubernetes/object-cache.js';
import type { ListResult, ListWatchTransport, WatchEventHandler } from '../../../src/sources/kubernetes/transport.js';
import { defaultMeshConfig, type MeshConfig } from '../../../src/config/mesh-config.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { waitFor } from '../../helpers/wait-for.js';

function cm(mesh: string | undefined, rv: string, name = 'istio'): KubeObject {
  return { metadata: { name, namespace: 'istio-system', resourceVersion: rv }, ...(mesh === undefined ? {} : { data: { mesh } }) };
}

/** Lists answer `items`; the one watch is handed to the test through `emit`. */
function transport(items: KubeObject[]): ListWatchTransport & { paths: string[]; emit?: WatchEventHandler } {
  const t: ListWatchTransport & { paths: string[]; emit?: WatchEventHandler } = {
    paths: [],
    async list(path): Promise<ListResult> {
      t.paths.push(path);
      return { items, resourceVersion: '10' };
    },
    async watch(path, _params, onEvent) {
      t.paths.push(path);
      t.emit = onEvent;
      return { abort: () => {} };
    },
  };
  return t;
}

test('the mesh ConfigMap is watched alone; valid versions apply once, invalid ones keep the last good, a delete means defaults', async () => {
  const tx = transport([cm('outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n', '5')]);
  const seen: Array<[string | undefined, string]> = [];
  const watch = createMeshConfigWatch({
    transport: tx, namespace: 'istio-system', logger: silentLogger, source: 'kube:test', initial: defaultMeshConfig(),
    onMesh: (mesh: MeshConfig, from) => void seen.push([mesh.outboundTrafficPolicy?.mode, from]),
  });
  watch.informer.start();
  await watch.informer.whenSynced();
  assert.equal(tx.paths[0], meshConfigMapPath('istio-system'));
  assert.match(tx.paths[0]!, /^\/api\/v1\/namespaces\/istio-system\/configmaps\?fieldSelector=metadata\.name%3Distio$/);
  assert.deepEqual(seen, [['REGISTRY_ONLY', 'ConfigMap/istio-system/istio@5']]);
  const emit: WatchEventHandler = (await waitFor('the watch', () => tx.emit))!;

  emit('MODIFIED', cm('outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n', '6'));
  assert.equal(seen.length, 1, 'an equal mesh config is not handed on again');

  emit('MODIFIED', cm('outboundTrafficPolicy:\n  mode: NEVER\n', '7'));
  assert.equal(seen.length, 1, 'an invalid version is not applied');
  const report = watch.report();
  assert.equal(report?.object, 'ConfigMap/istio-system/istio');
  assert.equal(report?.resourceVersion, '7');
  assert.equal(report?.keptLastGood, true);
  assert.match(report!.errors.join('\n'), /outboundTrafficPolicy\.mode/);

  emit('MODIFIED', cm('outboundTrafficPolicy:\n  mode: ALLOW_ANY\n', '8', 'other'));
  assert.equal(seen.length, 1, 'another ConfigMap (a server ignoring the field selector) is ignored');

  emit('MODIFIED', cm(undefined, '9'));
  assert.deepEqual(seen[1], ['ALLOW_ANY', 'ConfigMap/istio-system/istio@9'], 'no mesh key: the defaults');
  assert.equal(watch.report(), undefined, 'a valid version clears the report');

  emit('MODIFIED', cm('outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n', '11'));
  emit('DELETED', cm('outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n', '12'));
  assert.deepEqual(seen.slice(2), [['REGISTRY_ONLY', 'ConfigMap/istio-system/istio@11'], ['ALLOW_ANY', 'defaults']]);
  watch.informer.close();
});

test('without a ConfigMap the initial mesh config stays and nothing is handed on', async () => {
  const seen: MeshConfig[] = [];
  const watch = createMeshConfigWatch({ transport: transport([]), namespace: 'mesh', logger: silentLogger, source: 'kube:test', initial: defaultMeshConfig(), onMesh: (m) => void seen.push(m) });
  watch.informer.start();
  await watch.informer.whenSynced();
  assert.equal(watch.informer.synced, true);
  assert.deepEqual(seen, []);
  watch.informer.close();
});

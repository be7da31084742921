/**
 * The child process of bench/kube/source-path.ts: only the Kubernetes source's per-event path
 * (list + watch transport, informer, trim, conversion, store compare) for the kinds the events
 * touch, no snapshot builds. Talks to the parent over IPC: 'synced' once every informer listed,
 * then answers 'cpu' with process.cpuUsage() (all threads: GC helpers included).
 *
 * Modes, to compare the old and new paths under the same load in one run:
 *   --watch ours|client-node   our watch-stream.ts or @kubernetes/client-node's Watch;
 *   --convert fast|validator    core kinds built by core-objects.ts or by the full Validator.
 */
import { parseArgs } from 'node:util';
import { KubeConfig, Watch } from '@kubernetes/client-node';
import { silentLogger } from '../../src/lib/logger.js';
import { kindInfo, type KindName } from '../../src/model/kinds.js';
import { createStore } from '../../src/model/store/store.js';
import { createValidator } from '../../src/model/validation/validate.js';
import { collectionPath, toConfigDocument, transformFor } from '../../src/sources/kubernetes/convert.js';
import { createInformer, type Informer } from '../../src/sources/kubernetes/informer.js';
import { KubeObjects } from '../../src/sources/kubernetes/kube-objects.js';
import { createKubeTransport } from '../../src/sources/kubernetes/kube-transport.js';
import type { KubeObject } from '../../src/sources/kubernetes/object-cache.js';
import type { ListWatchTransport } from '../../src/sources/kubernetes/transport.js';

const { values: flags, positionals } = parseArgs({ allowPositionals: true, options: { watch: { type: 'string', default: 'ours' }, convert: { type: 'string', default: 'fast' } } });
const kc = new KubeConfig();
kc.loadFromFile(positionals[0]!);

/** The transport with client-node's Watch for the stream (what kube-transport.ts used before). */
function clientNodeWatchTransport(base: ListWatchTransport): ListWatchTransport {
  const watcher = new Watch(kc);
  return {
    list: base.list,
    async watch(path, params, onEvent, onDone) {
      const query = { resourceVersion: params.resourceVersion, allowWatchBookmarks: params.allowWatchBookmarks, timeoutSeconds: params.timeoutSeconds };
      const controller = await watcher.watch(path, query, (type: string, obj: unknown) => onEvent(type, obj as KubeObject), (err: unknown) => onDone(err ?? null));
      return { abort: () => controller.abort() };
    },
  };
}

const base = createKubeTransport(kc);
const transport = flags.watch === 'client-node' ? clientNodeWatchTransport(base) : base;
const store = createStore();
const sink = { upsert: (o: Parameters<typeof store.upsert>[0]) => void store.upsert(o), remove: (r: Parameters<typeof store.remove>[0]) => void store.remove(r) };
const objects = new KubeObjects(createValidator(), sink, 'kube:bench');
const validator = createValidator();
const source = 'kube:bench';

/** The old path of KubeObjects.apply for every kind: convert, full validation (clone + deep freeze), sink. */
function applyValidated(kind: KindName, raw: KubeObject): void {
  const info = kindInfo(kind);
  const converted = toConfigDocument(raw, info);
  if (!converted.ok) return;
  const outcome = validator.validate(converted.document, { source });
  if (outcome.object) sink.upsert(outcome.object);
}

const kinds: KindName[] = ['Namespace', 'Node', 'Service', 'EndpointSlice', 'Pod'];
const informers: Informer[] = kinds.map((kind) => {
  const info = kindInfo(kind);
  return createInformer({
    name: kind,
    path: collectionPath(info),
    transport,
    logger: silentLogger,
    transform: transformFor(info),
    handlers: {
      upsert: (obj) => (flags.convert === 'validator' ? applyValidated(kind, obj) : void objects.apply(info, obj)),
      remove: (obj) => objects.remove(info, obj),
    },
  });
});
for (const i of informers) i.start();
void Promise.all(informers.map((i) => i.whenSynced())).then(() => process.send!({ synced: true, cpu: process.cpuUsage(), objects: store.size }));
process.on('message', (msg: { cmd: string }) => {
  if (msg.cmd === 'cpu') process.send!({ cpu: process.cpuUsage(), memory: process.memoryUsage(), objects: store.size });
  if (msg.cmd === 'exit') {
    for (const i of informers) i.close();
    process.exit(0);
  }
});

/**
 * The gateway deployment controller's watches on what it deployed: one informer each for
 * ServiceAccounts, Deployments (apps/v1) and Services carrying `gateway.istio.io/managed`,
 * across namespaces, trimmed to metadata and spec. Started when the duty starts (leadership)
 * and closed when it stops, so a follower holds no watches; each term lists afresh.
 */
import { silentLogger, type Logger } from '../lib/logger.js';
import { CHILD_WATCHES, trimChild, type RawChild } from '../model/gateway-api/deployment-children.js';
import { createInformer, type Informer } from '../sources/kubernetes/informer.js';
import type { KubeObject } from '../sources/kubernetes/object-cache.js';
import type { ListWatchTransport } from '../sources/kubernetes/transport.js';

export type ChildListener = (change: 'upsert' | 'remove', plural: string, obj: RawChild) => void;

export interface ChildWatchOptions {
  /** The transport, or how to make it (on first use: a follower never connects). */
  readonly transport: ListWatchTransport | (() => Promise<ListWatchTransport>);
  readonly onChild: ChildListener;
  readonly logger?: Logger;
}

export interface ChildWatches {
  start(): void;
  stop(): void;
  /** Informers running now (0 while not leading). */
  running(): number;
}

export function createChildWatches(opts: ChildWatchOptions): ChildWatches {
  const log = opts.logger ?? silentLogger;
  let transport: Promise<ListWatchTransport> | undefined;
  let informers: Informer[] = [];
  /** Bumped on every start and stop: a start still waiting for its transport after a stop gives up. */
  let term = 0;

  const transportOnce = (): Promise<ListWatchTransport> => (transport ??= typeof opts.transport === 'function' ? opts.transport() : Promise.resolve(opts.transport));

  function open(t: ListWatchTransport): void {
    informers = CHILD_WATCHES.map((w) => createInformer({
      name: `gateway-deployment ${w.kind}`,
      path: w.path,
      transport: t,
      logger: log,
      transform: (o: KubeObject) => trimChild(o) as KubeObject,
      handlers: {
        upsert: (o) => opts.onChild('upsert', w.plural, o),
        remove: (o) => opts.onChild('remove', w.plural, o),
      },
    }));
    for (const i of informers) i.start();
    log.debug({ kinds: CHILD_WATCHES.map((w) => w.kind) }, 'watching managed gateway objects');
  }

  return {
    start() {
      if (informers.length > 0) return;
      const mine = ++term;
      transportOnce().then(
        (t) => void (mine === term && informers.length === 0 && open(t)),
        (err: unknown) => {
          transport = undefined; // the next term tries again
          log.warn({ err: (err as Error).message }, 'cannot watch managed gateway objects; edits and deletions are repaired only on Gateway changes');
        },
      );
    },
    stop() {
      term++;
      for (const i of informers) i.close();
      informers = [];
    },
    running: () => informers.length,
  };
}

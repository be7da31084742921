/**
 * Where the Gateway API conversion runs: between the store and the snapshot. `withGatewayApi`
 * wraps a Store so that taking a batch of changes first brings the synthetic objects up to
 * date — recomputed only when a changed key is of a kind the conversion reads (and, for
 * Services and Namespaces, only while there is Gateway API config) — and writes the difference
 * into the store like any source would. Snapshots, indexes, change sets and pushes then treat
 * them like any other Gateway or VirtualService. `withGatewayApiObjects` is the same for a plain
 * object list (tests, one-shot builds).
 */
import { kindOfKey } from '../change-set.js';
import { objectKey, refOf, type ConfigObject } from '../config.js';
import type { Store } from '../store/store.js';
import { convertGatewayApi } from './convert.js';
import { GATEWAY_API_INPUT_KINDS, GATEWAY_API_OWN_KINDS } from './world.js';

export const DERIVED_SOURCE = 'gateway-api';

/** `objects` plus the synthetic objects the Gateway API ones among them convert to. */
export function withGatewayApiObjects(objects: readonly ConfigObject[], domain = 'cluster.local'): ConfigObject[] {
  const inputs = objects.filter((o) => GATEWAY_API_INPUT_KINDS.has(o.kind) && o.source !== DERIVED_SOURCE);
  if (!inputs.some((o) => GATEWAY_API_OWN_KINDS.has(o.kind))) return [...objects];
  return [...objects, ...convertGatewayApi(inputs, { domain }).configs];
}

function inputsOf(store: Store): ConfigObject[] {
  return [...GATEWAY_API_INPUT_KINDS].flatMap((kind) => store.list(kind as ConfigObject['kind']));
}

export function withGatewayApi(store: Store, opts: { domain: string }): Store {
  let derived = new Map<string, ConfigObject>();
  let hasGatewayApi = false;

  function refresh(): void {
    const inputs = inputsOf(store);
    hasGatewayApi = inputs.some((o) => GATEWAY_API_OWN_KINDS.has(o.kind));
    const next = new Map<string, ConfigObject>();
    if (hasGatewayApi) for (const obj of convertGatewayApi(inputs, opts).configs) next.set(objectKey(refOf(obj)), obj);
    for (const [key, obj] of derived) if (!next.has(key)) store.remove(refOf(obj));
    for (const obj of next.values()) store.upsert(obj);
    derived = next;
  }

  function relevant(keys: Iterable<string>): boolean {
    for (const key of keys) {
      const kind = kindOfKey(key);
      if (GATEWAY_API_OWN_KINDS.has(kind)) return true;
      if (hasGatewayApi && GATEWAY_API_INPUT_KINDS.has(kind)) return true;
    }
    return false;
  }

  return {
    ...store,
    takeChanges() {
      // Peek without clearing: the changes stay recorded for the caller, with ours added.
      const pending = store.takeChanges();
      const changed = relevant(pending);
      if (changed) refresh();
      const ours = store.takeChanges();
      for (const key of ours) pending.add(key);
      return pending;
    },
    get size() {
      return store.size;
    },
  };
}

/**
 * The Gateway API status a snapshot implies: the conversion re-run over the snapshot's Gateway
 * API objects, Services and Namespaces (pure), memoized per snapshot for the status writer.
 */
import type { KindName } from '../kinds.js';
import type { Snapshot } from '../snapshot.js';
import { convertGatewayApi } from './convert.js';
import type { ComputedStatus } from './status.js';
import { GATEWAY_API_INPUT_KINDS } from './world.js';

const memo = new WeakMap<Snapshot, ReadonlyMap<string, ComputedStatus>>();
const EMPTY: ReadonlyMap<string, ComputedStatus> = new Map();

/** objectKey of each Gateway API object istiod-ts owns → its computed status. */
export function gatewayApiStatusOf(snapshot: Snapshot | undefined): ReadonlyMap<string, ComputedStatus> {
  if (!snapshot) return EMPTY;
  let found = memo.get(snapshot);
  if (!found) {
    const inputs = [...GATEWAY_API_INPUT_KINDS].flatMap((kind) => snapshot.configs.list(kind as KindName));
    memo.set(snapshot, (found = convertGatewayApi(inputs, { domain: snapshot.options.domain }).status));
  }
  return found;
}

/**
 * The Gateway API status a snapshot implies: the conversion re-run over the snapshot's Gateway
 * API objects, Services and Namespaces (pure), memoized per snapshot for the status writer.
 */
import type { KindName } from '../kinds.js';
import type { Snapshot } from '../snapshot.js';
import type { CaCertificateLookup } from './backend-tls.js';
import { convertGatewayApi } from './convert.js';
import type { ComputedStatus } from './status.js';
import { GATEWAY_API_INPUT_KINDS } from './world.js';

const memo = new WeakMap<Snapshot, { caVersion: number | undefined; status: ReadonlyMap<string, ComputedStatus> }>();
const EMPTY: ReadonlyMap<string, ComputedStatus> = new Map();

/**
 * objectKey of each Gateway API object istiod-ts owns → its computed status. `caCertificates`
 * (ConfigMap CA bundles, not in the snapshot) is part of the memo key through its version.
 */
export function gatewayApiStatusOf(snapshot: Snapshot | undefined, caCertificates?: CaCertificateLookup): ReadonlyMap<string, ComputedStatus> {
  if (!snapshot) return EMPTY;
  const found = memo.get(snapshot);
  if (found && found.caVersion === caCertificates?.version) return found.status;
  const inputs = [...GATEWAY_API_INPUT_KINDS].flatMap((kind) => snapshot.configs.list(kind as KindName));
  const status = convertGatewayApi(inputs, { domain: snapshot.options.domain, ...(caCertificates ? { caCertificates } : {}) }).status;
  memo.set(snapshot, { caVersion: caCertificates?.version, status });
  return status;
}

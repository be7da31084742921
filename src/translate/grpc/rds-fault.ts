/**
 * VirtualService fault injection → the fault filter's per-route config (gRFC A33), as Istio
 * translates it: fixed delays and HTTP / gRPC-status aborts, percentages per million (or per
 * hundred for the deprecated integer `percent`). gRPC refuses a fault without a percentage, so an
 * absent one is written as 0%, which is what Envoy makes of an absent percentage too.
 */
import type { ConfigObject } from '../../model/config.js';
import type { HTTPFaultInjection } from '../../model/types/virtual-service.js';
import { fractionalPercent, integerPercent, protoDuration } from '../common/proto-values.js';
import { GRPC_STATUS_CODES } from '../common/grpc-status.js';
import { AnyType } from '../common/any-types.js';
import type { Diagnostics } from '../common/diagnostics.js';
import type { Json } from './rds-match.js';

type Delay = NonNullable<HTTPFaultInjection['delay']>;
type Abort = NonNullable<HTTPFaultInjection['abort']>;

function percentOf(p: { percentage?: { value?: number }; percent?: number }): Json {
  if (p.percentage !== undefined) return fractionalPercent(p.percentage.value ?? 0);
  return integerPercent(p.percent ?? 0);
}

function buildDelay(delay: Delay, vs: ConfigObject, path: string, diags: Diagnostics): Json | undefined {
  const fixed = protoDuration(delay.fixedDelay);
  if (!fixed) {
    diags.warn(vs, `${path}.delay`, delay.exponentialDelay !== undefined ? 'exponentialDelay is not supported: delay ignored' : 'no valid fixedDelay: delay ignored');
    return undefined;
  }
  if (delay.percentage === undefined && delay.percent === undefined) diags.warn(vs, `${path}.delay`, 'no percentage: the delay applies to 0% of requests');
  return { fixed_delay: fixed, percentage: percentOf(delay) };
}

function buildAbort(abort: Abort, vs: ConfigObject, path: string, diags: Diagnostics): Json | undefined {
  let error: Json;
  if (abort.grpcStatus !== undefined && GRPC_STATUS_CODES[abort.grpcStatus] !== undefined) error = { grpc_status: GRPC_STATUS_CODES[abort.grpcStatus] };
  else if (abort.httpStatus !== undefined) error = { http_status: abort.httpStatus };
  else {
    diags.warn(vs, `${path}.abort`, 'only httpStatus and grpcStatus aborts are supported: abort ignored');
    return undefined;
  }
  if (abort.percentage === undefined) diags.warn(vs, `${path}.abort`, 'no percentage: the abort applies to 0% of requests');
  return { ...error, percentage: percentOf({ percentage: abort.percentage ?? { value: 0 } }) };
}

/** The HTTPFault for a route's `fault`, or undefined when nothing usable is left. */
export function buildFault(fault: HTTPFaultInjection | undefined, vs: ConfigObject, path: string, diags: Diagnostics): Json | undefined {
  if (!fault) return undefined;
  const delay = fault.delay ? buildDelay(fault.delay, vs, path, diags) : undefined;
  const abort = fault.abort ? buildAbort(fault.abort, vs, path, diags) : undefined;
  if (!delay && !abort) return undefined;
  return { '@type': AnyType.HttpFault, ...(delay ? { delay } : {}), ...(abort ? { abort } : {}) };
}

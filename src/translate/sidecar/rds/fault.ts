/**
 * VirtualService fault injection → the fault filter's per-route HTTPFault, as Istio builds it:
 * fixed delays (percentage per million, or the deprecated integer `percent` per hundred) and
 * HTTP-status / gRPC-status aborts (percentage per million when given). Istio rejects
 * `exponentialDelay` and `http2Error` at validation ("not supported yet") and, should one reach
 * translation, leaves that delay or abort out with a warning: so does this (the other half of
 * the fault still applies).
 */
import type { ConfigObject } from '../../../model/config.js';
import type { HTTPFaultInjection } from '../../../model/types/virtual-service.js';
import type { Diagnostics } from '../../common/diagnostics.js';
import { GRPC_STATUS_CODES } from '../../common/grpc-status.js';
import { fractionalPercent, integerPercent, protoDuration } from '../../common/proto-values.js';
import { HttpFilterType } from '../http-filters.js';
import type { Json } from './types.js';

type Delay = NonNullable<HTTPFaultInjection['delay']>;
type Abort = NonNullable<HTTPFaultInjection['abort']>;

function buildDelay(delay: Delay, source: ConfigObject, path: string, diags: Diagnostics): Json | undefined {
  const fixed = protoDuration(delay.fixedDelay);
  if (!fixed) {
    diags.warn(source, `${path}.delay`, delay.exponentialDelay !== undefined ? 'exponentialDelay is not supported (as in Istio): delay left out' : 'no valid fixedDelay: delay left out');
    return undefined;
  }
  const percentage = delay.percentage !== undefined ? fractionalPercent(delay.percentage.value ?? 0) : integerPercent(delay.percent ?? 0);
  return { fixed_delay: fixed, percentage };
}

function buildAbort(abort: Abort, source: ConfigObject, path: string, diags: Diagnostics): Json | undefined {
  let error: Json;
  if (abort.httpStatus !== undefined) error = { http_status: abort.httpStatus };
  else if (abort.grpcStatus !== undefined && GRPC_STATUS_CODES[abort.grpcStatus] !== undefined) error = { grpc_status: GRPC_STATUS_CODES[abort.grpcStatus] };
  else {
    const why = abort.http2Error !== undefined ? 'http2Error aborts are not supported (as in Istio)'
      : abort.grpcStatus !== undefined ? `unknown grpcStatus ${JSON.stringify(abort.grpcStatus)}`
        : 'no httpStatus or grpcStatus';
    diags.warn(source, `${path}.abort`, `${why}: abort left out`);
    return undefined;
  }
  return { ...error, ...(abort.percentage !== undefined ? { percentage: fractionalPercent(abort.percentage.value ?? 0) } : {}) };
}

/** The typed HTTPFault for a route's `fault`, or undefined when nothing usable is left. */
export function buildFault(fault: HTTPFaultInjection | undefined, source: ConfigObject, path: string, diags: Diagnostics): Json | undefined {
  if (!fault) return undefined;
  const delay = fault.delay ? buildDelay(fault.delay, source, path, diags) : undefined;
  const abort = fault.abort ? buildAbort(fault.abort, source, path, diags) : undefined;
  if (!delay && !abort) return undefined;
  return { '@type': HttpFilterType.Fault, ...(delay ? { delay } : {}), ...(abort ? { abort } : {}) };
}

/**
 * DestinationRule outlierDetection → envoy OutlierDetection, as Istio maps it for both Envoy and
 * proxyless clients: success-rate ejection off; consecutive 5xx / gateway errors enforced at 100%
 * when non-zero; local-origin failures only with splitExternalLocalOriginErrors. Callers add what
 * is specific to their clients (warnings, the panic threshold).
 */
import type { OutlierDetection } from '../../model/types/destination-rule.js';
import { protoDuration } from './proto-values.js';

type Json = Record<string, unknown>;

function consecutive(out: Json, count: number | undefined, field: string, enforcing: string): void {
  if (count === undefined) return;
  out[field] = { value: count };
  out[enforcing] = { value: count > 0 ? 100 : 0 };
}

/** `badDuration(field, text)` hears about an interval or ejection time that does not parse (left out). */
export function buildOutlierDetection(od: OutlierDetection, badDuration: (field: string, text: string) => void = () => {}): Json {
  const out: Json = { enforcing_success_rate: { value: 0 } };
  consecutive(out, od.consecutive5xxErrors, 'consecutive_5xx', 'enforcing_consecutive_5xx');
  consecutive(out, od.consecutiveGatewayErrors, 'consecutive_gateway_failure', 'enforcing_consecutive_gateway_failure');
  for (const [key, field] of [['interval', 'interval'], ['base_ejection_time', 'baseEjectionTime']] as const) {
    const text = od[field];
    if (text === undefined) continue;
    const d = protoDuration(text);
    if (d) out[key] = d;
    else badDuration(field, text);
  }
  if (od.maxEjectionPercent !== undefined && od.maxEjectionPercent > 0) out.max_ejection_percent = { value: od.maxEjectionPercent };
  if (od.splitExternalLocalOriginErrors) {
    out.split_external_local_origin_errors = true;
    if ((od.consecutiveLocalOriginFailures ?? 0) > 0) {
      out.consecutive_local_origin_failure = { value: od.consecutiveLocalOriginFailures };
      out.enforcing_consecutive_local_origin_failure = { value: 100 };
    }
    out.enforcing_local_origin_success_rate = { value: 0 };
  }
  return out;
}

/**
 * outlierDetection as Istio maps it: success-rate ejection off; consecutive 5xx / gateway
 * errors enforced at 100% when non-zero; local-origin failures only with
 * splitExternalLocalOriginErrors; and the panic threshold set from minHealthPercent (0 when
 * unset, since Envoy's default of 50% rarely suits services with few pods).
 */
import type { OutlierDetection } from '../../../model/types/destination-rule.js';
import { protoDuration } from '../../common/proto-values.js';
import type { ClusterDraft, Json } from './draft.js';
import type { FieldOrigin } from './origin.js';

function consecutive(out: Json, count: number | undefined, field: string, enforcing: string): void {
  if (count === undefined) return;
  out[field] = { value: count };
  out[enforcing] = { value: count > 0 ? 100 : 0 };
}

function durationField(out: Json, key: string, text: string | undefined, at: FieldOrigin, field: string): void {
  if (text === undefined) return;
  const d = protoDuration(text);
  if (d) out[key] = d;
  else at.warn(field, `invalid duration ${JSON.stringify(text)}: ignored`);
}

export function applyOutlierDetection(draft: ClusterDraft, od: OutlierDetection | undefined, at: FieldOrigin): void {
  if (!od) return;
  const out: Json = { enforcing_success_rate: { value: 0 } };
  if (od.consecutiveErrors !== undefined && od.consecutive5xxErrors === undefined) {
    at.warn('consecutiveErrors', 'deprecated and ignored by Istio; use consecutive5xxErrors or consecutiveGatewayErrors');
  }
  consecutive(out, od.consecutive5xxErrors, 'consecutive_5xx', 'enforcing_consecutive_5xx');
  consecutive(out, od.consecutiveGatewayErrors, 'consecutive_gateway_failure', 'enforcing_consecutive_gateway_failure');
  durationField(out, 'interval', od.interval, at, 'interval');
  durationField(out, 'base_ejection_time', od.baseEjectionTime, at, 'baseEjectionTime');
  if (od.maxEjectionPercent !== undefined && od.maxEjectionPercent > 0) out.max_ejection_percent = { value: od.maxEjectionPercent };
  if (od.splitExternalLocalOriginErrors) {
    out.split_external_local_origin_errors = true;
    if ((od.consecutiveLocalOriginFailures ?? 0) > 0) {
      out.consecutive_local_origin_failure = { value: od.consecutiveLocalOriginFailures };
      out.enforcing_consecutive_local_origin_failure = { value: 100 };
    }
    out.enforcing_local_origin_success_rate = { value: 0 };
  } else if (od.consecutiveLocalOriginFailures !== undefined) {
    at.warn('consecutiveLocalOriginFailures', 'only applies with splitExternalLocalOriginErrors: ignored');
  }
  draft.cluster.outlier_detection = out;
  const minHealth = od.minHealthPercent ?? 0;
  if (minHealth >= 0) (draft.cluster.common_lb_config as Json).healthy_panic_threshold = { value: minHealth };
}

/**
 * outlierDetection on a sidecar cluster: the shared mapping (common/outlier-detection.ts), the
 * warnings for fields Istio ignores, and the panic threshold set from minHealthPercent (0 when
 * unset, since Envoy's default of 50% rarely suits services with few pods).
 */
import type { OutlierDetection } from '../../../model/types/destination-rule.js';
import { buildOutlierDetection } from '../../common/outlier-detection.js';
import { commonLbConfig, type ClusterDraft } from './draft.js';
import type { FieldOrigin } from './origin.js';

export function applyOutlierDetection(draft: ClusterDraft, od: OutlierDetection | undefined, at: FieldOrigin): void {
  if (!od) return;
  if (od.consecutiveErrors !== undefined && od.consecutive5xxErrors === undefined) {
    at.warn('consecutiveErrors', 'deprecated and ignored by Istio; use consecutive5xxErrors or consecutiveGatewayErrors');
  }
  if (!od.splitExternalLocalOriginErrors && od.consecutiveLocalOriginFailures !== undefined) {
    at.warn('consecutiveLocalOriginFailures', 'only applies with splitExternalLocalOriginErrors: ignored');
  }
  const out = buildOutlierDetection(od, (field, text) => at.warn(field, `invalid duration ${JSON.stringify(text)}: ignored`));
  draft.cluster.outlier_detection = out;
  const minHealth = od.minHealthPercent ?? 0;
  if (minHealth >= 0) commonLbConfig(draft).healthy_panic_threshold = { value: minHealth };
}

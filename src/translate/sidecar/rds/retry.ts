/**
 * Retry policies as Istio converts them: no policy → Istio's default (2 retries on
 * connect-failure, refused-stream, unavailable, cancelled and 503, prefer other hosts, 5 host
 * selection attempts); attempts ≤ 0 → none; otherwise the default with the user's attempts,
 * retryOn (numeric entries become retriable_status_codes), perTryTimeout, backoff,
 * retryRemoteLocalities (previous_priorities) and retryIgnorePreviousHosts. Routes that hash
 * (consistentHash) keep to the same host: no previous_hosts predicate.
 */
import type { ConfigObject } from '../../../model/config.js';
import type { HTTPRetry } from '../../../model/types/virtual-service.js';
import type { Diagnostics } from '../../common/diagnostics.js';
import { protoDuration } from '../../common/proto-values.js';
import { TYPE_URL_PREFIX as PREFIX } from '../../type-urls.js';
import type { Json } from './types.js';

const DEFAULT_RETRY_ON = 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes';

const PREVIOUS_HOSTS: Json = Object.freeze({
  name: 'envoy.retry_host_predicates.previous_hosts',
  typed_config: { '@type': `${PREFIX}envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate` },
});

const PREVIOUS_PRIORITIES: Json = Object.freeze({
  name: 'envoy.retry_priorities.previous_priorities',
  typed_config: { '@type': `${PREFIX}envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig`, update_frequency: 2 },
});

function defaultPolicy(hashing: boolean): Json {
  return {
    retry_on: DEFAULT_RETRY_ON,
    num_retries: { value: 2 },
    retriable_status_codes: [503],
    host_selection_retry_max_attempts: 5,
    ...(hashing ? {} : { retry_host_predicate: [PREVIOUS_HOSTS] }),
  };
}

/** Splits retryOn into Envoy's retry_on names and HTTP status codes (100..599). */
function parseRetryOn(text: string): { on: string[]; codes: number[] } {
  const on: string[] = [];
  const codes: number[] = [];
  for (const raw of text.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    if (/^\d+$/.test(part) && Number(part) >= 100 && Number(part) <= 599) codes.push(Number(part));
    else on.push(part);
  }
  if (codes.length > 0 && !on.includes('retriable-status-codes')) on.push('retriable-status-codes');
  return { on, codes };
}

export interface RetryOrigin {
  readonly source: ConfigObject | undefined;
  readonly path: string;
}

export function buildRetryPolicy(retry: HTTPRetry | undefined, hashing: boolean, origin: RetryOrigin, diags: Diagnostics): Json | undefined {
  const out = defaultPolicy(hashing);
  if (!retry) return out;
  if ((retry.attempts ?? 0) <= 0) return undefined;
  out.num_retries = { value: retry.attempts };
  if (retry.retryOn) {
    const { on, codes } = parseRetryOn(retry.retryOn);
    out.retry_on = on.join(',');
    if (codes.length > 0) out.retriable_status_codes = codes;
    else delete out.retriable_status_codes;
  }
  const perTry = protoDuration(retry.perTryTimeout);
  if (retry.perTryTimeout !== undefined && !perTry) diags.warn(origin.source, `${origin.path}.perTryTimeout`, 'not a valid duration: ignored');
  if (perTry) out.per_try_timeout = perTry;
  if (retry.retryIgnorePreviousHosts !== undefined) {
    if (retry.retryIgnorePreviousHosts) out.retry_host_predicate = [PREVIOUS_HOSTS];
    else delete out.retry_host_predicate;
  }
  if (retry.retryRemoteLocalities) out.retry_priority = PREVIOUS_PRIORITIES;
  const backoff = protoDuration(retry.backoff);
  if (backoff && (backoff.seconds > 0 || backoff.nanos > 0)) out.retry_back_off = { base_interval: backoff };
  return out;
}

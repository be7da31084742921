/**
 * HTTPRoute rule `retry` and `timeouts` → VirtualService `retries` and `timeout`, as Istio's
 * conversion does it: a retry stanza always retries connection failures (the spec says it
 * SHOULD) plus the listed status codes, with 2 attempts when unset (Envoy's and Istio's usual
 * default); `timeouts.request` is the route timeout; `timeouts.backendRequest` is the per-try
 * timeout when there are retries, otherwise it replaces the route timeout. Zero or malformed
 * durations are ignored (the CRD's pattern already refuses malformed ones).
 */
import { parseDuration } from '../../lib/duration.js';
import type { HTTPRetry, HTTPRoute as VsHttpRoute } from '../types/virtual-service.js';
import type { HTTPRouteRule } from './types.js';

const CONNECTION_RETRIES = ['connect-failure', 'refused-stream', 'unavailable', 'cancelled'];

const nonZero = (text: string | undefined): string | undefined => {
  if (text === undefined) return undefined;
  const ns = parseDuration(text);
  return ns !== undefined && ns !== 0n ? text : undefined;
};

function retriesOf(retry: HTTPRouteRule['retry']): HTTPRetry | undefined {
  if (!retry) return undefined;
  const attempts = retry.attempts ?? 2;
  const retryOn = [...CONNECTION_RETRIES, ...(retry.codes ?? []).map(String)].join(',');
  const backoff = nonZero(retry.backoff);
  // Envoy refuses retry_on without attempts; Istio clears it when attempts is 0.
  return { attempts, ...(attempts > 0 ? { retryOn } : {}), ...(backoff ? { backoff } : {}) };
}

/** The `retries` and `timeout` fields of the routes built from one HTTPRoute rule. */
export function resilienceOf(rule: Pick<HTTPRouteRule, 'retry' | 'timeouts'>): Pick<VsHttpRoute, 'retries' | 'timeout'> {
  const retries = retriesOf(rule.retry);
  let timeout = nonZero(rule.timeouts?.request);
  const backend = nonZero(rule.timeouts?.backendRequest);
  if (backend && retries) retries.perTryTimeout = backend;
  else if (backend) timeout = backend;
  return { ...(retries ? { retries } : {}), ...(timeout ? { timeout } : {}) };
}

/**
 * Retry policies, converted as Istio converts them (a VirtualService's `retries`, else the mesh's
 * defaultHttpRetryPolicy, else Istio's default of 2 retries; attempts 0 disables retries), then
 * narrowed to what gRPC acts on (gRFC A44): retry_on keeps only the gRPC status names
 * cancelled, deadline-exceeded, internal, resource-exhausted and unavailable. Envoy-only entries
 * (5xx, connect-failure, HTTP status codes, ...) are dropped with a diagnostic, since gRPC would
 * silently ignore them.
 */
import type { ConfigObject } from '../../model/config.js';
import type { HTTPRetry } from '../../model/types/virtual-service.js';
import type { Diagnostics } from '../common/diagnostics.js';
import { GRPC_RETRY_ON } from '../common/grpc-status.js';
import { protoDuration } from '../common/proto-values.js';
import type { Json } from './rds-match.js';

/** Istio's default retry_on, as gRPC reads it ("connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes"). */
const DEFAULT_RETRY_ON = ['unavailable', 'cancelled'];
const DEFAULT_ATTEMPTS = 2;

export interface RetrySource {
  readonly retry: HTTPRetry | undefined;
  /** Set when `retry` comes from a VirtualService route, for diagnostics. */
  readonly vs?: ConfigObject;
  readonly path?: string;
}

function grpcRetryOn(text: string, src: RetrySource, diags: Diagnostics): string[] {
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const kept = [...new Set(parts.filter((p) => GRPC_RETRY_ON.has(p)))];
  const dropped = parts.filter((p) => !GRPC_RETRY_ON.has(p));
  if (dropped.length > 0 && src.vs) {
    diags.warn(src.vs, `${src.path}.retryOn`, `gRPC retries only on ${[...GRPC_RETRY_ON].join(', ')}; ignored: ${dropped.join(', ')}`);
  }
  return kept;
}

/** The RetryPolicy for a route, or undefined for none. */
export function buildRetryPolicy(src: RetrySource, diags: Diagnostics): Json | undefined {
  const retry = src.retry;
  if (!retry) return { retry_on: DEFAULT_RETRY_ON.join(','), num_retries: { value: DEFAULT_ATTEMPTS } };
  const attempts = retry.attempts ?? 0;
  if (attempts <= 0) return undefined;
  const retryOn = retry.retryOn !== undefined ? grpcRetryOn(retry.retryOn, src, diags) : DEFAULT_RETRY_ON;
  if (retryOn.length === 0) {
    if (src.vs) diags.warn(src.vs, `${src.path}.retryOn`, 'no condition gRPC retries on: retries disabled for gRPC clients');
    return undefined;
  }
  const perTry = protoDuration(retry.perTryTimeout);
  const backoff = protoDuration(retry.backoff);
  return {
    retry_on: retryOn.join(','),
    num_retries: { value: attempts },
    ...(perTry ? { per_try_timeout: perTry } : {}),
    ...(backoff && (backoff.seconds > 0 || backoff.nanos > 0) ? { retry_back_off: { base_interval: backoff } } : {}),
  };
}

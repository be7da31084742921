/** HTTP and gRPC status codes, percentages, retry policies. */

/** Status codes Go's net/http knows a text for (Istio accepts those in retryOn). */
const KNOWN_HTTP_STATUS = new Set<number>([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308,
  400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423,
  424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

const RETRY_ON = new Set([
  '5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'retriable-4xx', 'refused-stream',
  'retriable-status-codes', 'retriable-headers', 'envoy-ratelimited', 'http3-post-connect-failure',
  'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable',
]);

export const GRPC_STATUS = new Set([
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED',
  'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
]);

/** Envoy retry-on names or HTTP status codes. */
export function isRetryOnPolicy(p: string): boolean {
  return RETRY_ON.has(p) || (/^\d+$/.test(p) && KNOWN_HTTP_STATUS.has(Number(p)));
}

/** Istio accepts 200..600 (its message says 200-599). */
export function checkHTTPStatus(status: unknown): string | undefined {
  const n = typeof status === 'number' ? status : 0;
  return n < 200 || n > 600 ? `HTTP status ${String(status ?? 0)} is not in range 200-599` : undefined;
}

/** A Percent: 0, or within [0.0001, 100]. */
export function checkPercentage(value: number): string | undefined {
  if (value < 0 || value > 100 || (value > 0 && value < 0.0001)) {
    return `percentage ${value} is neither 0.0, nor in range [0.0001, 100.0]`;
  }
  return undefined;
}

export function checkIntPercent(value: number): string | undefined {
  return value < 0 || value > 100 ? `percentage ${value} is not in range 0..100` : undefined;
}

export const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE']);

/**
 * What the webhooks count, under Istio's names (the debug layer registers them with prom-client;
 * see src/debug/metrics.ts): sidecar_injection_{requests,success,skip,failure}_total and
 * galley_validation_{passed,failed,http_error}.
 */
export interface ValidatedResource {
  readonly group: string;
  readonly version: string;
  /** The kind's plural (resource), as Istio labels it. */
  readonly resource: string;
}

export interface WebhookMetrics {
  /** sidecar_injection_requests_total: every /inject review that reached the handler. */
  injectionRequested(): void;
  /** sidecar_injection_success_total. */
  injectionSucceeded(): void;
  /** sidecar_injection_skip_total: policy said no (namespace, annotation, already injected...). */
  injectionSkipped(): void;
  /** sidecar_injection_failure_total{type}: the pod could not be injected (bad annotation, template...). */
  injectionFailed(type: string): void;
  /** galley_validation_passed{group,version,resource}. */
  validationPassed(r: ValidatedResource): void;
  /** galley_validation_failed{group,version,resource,reason}. */
  validationFailed(r: ValidatedResource, reason: string): void;
  /** galley_validation_http_error{status}: a request refused before validation (400/413/415...). */
  httpError(status: number): void;
}

export const noopWebhookMetrics: WebhookMetrics = {
  injectionRequested: () => undefined,
  injectionSucceeded: () => undefined,
  injectionSkipped: () => undefined,
  injectionFailed: () => undefined,
  validationPassed: () => undefined,
  validationFailed: () => undefined,
  httpError: () => undefined,
};

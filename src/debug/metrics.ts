/**
 * Prometheus metrics under Istio's names (pilot_xds, pilot_xds_pushes, ...), so existing
 * dashboards and alerts keep working. One Registry per daemon, no global default registry.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { XdsMetrics } from '../serve/types.js';
import type { CaMetrics, CaRootMetrics } from '../serve/ca-metrics.js';
import type { WebhookMetrics } from '../serve/webhook/webhook-metrics.js';

export interface MeshMetrics {
  readonly registry: Registry;
  readonly xds: XdsMetrics;
  /** citadel_server_* counters of the CreateCertificate service. */
  readonly ca: CaMetrics;
  /** citadel_server_root_cert_expiry_* gauges. */
  readonly caRoots: CaRootMetrics;
  /** sidecar_injection_* and galley_validation_* of the webhook port. */
  readonly webhooks: WebhookMetrics;
  /** pilot_debounce_time: seconds from a batch's first config event to its snapshot. */
  debounced(seconds: number): void;
  /** pilot_services / pilot_virt_services after each snapshot. */
  snapshotSizes(services: number, virtualServices: number): void;
  /** Text exposition for GET /metrics. */
  render(): Promise<{ contentType: string; body: string }>;
}

const TIME_BUCKETS = [0.01, 0.1, 0.5, 1, 3, 5, 10, 20, 30];
const SIZE_BUCKETS = [1, 10_000, 1_000_000, 4_000_000, 10_000_000, 40_000_000];

function xdsMetrics(registers: Registry[]): XdsMetrics {
  const connected = new Gauge({ name: 'pilot_xds', help: 'Number of endpoints connected to this pilot using XDS.', labelNames: ['version'], registers });
  const pushes = new Counter({ name: 'pilot_xds_pushes', help: 'Pilot build and send errors for lds, rds, cds and eds.', labelNames: ['type'], registers });
  const pushTime = new Histogram({ name: 'pilot_xds_push_time', help: 'Total time in seconds Pilot takes to push lds, rds, cds and eds.', labelNames: ['type'], buckets: TIME_BUCKETS, registers });
  const size = new Histogram({ name: 'pilot_xds_config_size_bytes', help: 'Distribution of configuration sizes pushed to clients', labelNames: ['type'], buckets: SIZE_BUCKETS, registers });
  const convergence = new Histogram({ name: 'pilot_proxy_convergence_time', help: 'Delay in seconds between config change and a proxy receiving all required configuration.', buckets: TIME_BUCKETS, registers });
  const rejects = new Counter({ name: 'pilot_total_xds_rejects', help: 'Total number of XDS responses from pilot rejected by proxy.', labelNames: ['type'], registers });
  const writeTimeouts = new Counter({ name: 'pilot_xds_write_timeout', help: 'Pilot XDS response write timeouts.', registers });
  const disconnects = new Counter({ name: 'pilot_xds_disconnects', help: 'XDS streams the server ended, by reason.', labelNames: ['reason'], registers });
  return {
    connectionOpened: (version) => connected.inc({ version: version || 'unknown' }),
    connectionClosed: (version) => connected.dec({ version: version || 'unknown' }),
    pushed(type, seconds, bytes) {
      pushes.inc({ type });
      pushTime.observe({ type }, seconds);
      size.observe({ type }, bytes);
    },
    converged: (seconds) => convergence.observe(seconds),
    rejected: (type) => rejects.inc({ type }),
    disconnected(reason) {
      disconnects.inc({ reason });
      if (reason === 'write_timeout') writeTimeouts.inc();
    },
  };
}

/** citadel_server_root_cert_expiry_timestamp, and _seconds computed at scrape time as Istio's is. */
function caRootMetrics(registers: Registry[]): CaRootMetrics {
  const timestamp = new Gauge({ name: 'citadel_server_root_cert_expiry_timestamp', help: 'The unix timestamp, in seconds, when Citadel root cert will expire. A negative time indicates the cert is expired.', registers });
  let notAfterSeconds: number | undefined;
  new Gauge({
    name: 'citadel_server_root_cert_expiry_seconds',
    help: 'The time remaining, in seconds, before the root cert will expire. A negative value indicates the cert is expired.',
    registers,
    collect() {
      if (notAfterSeconds !== undefined) this.set(notAfterSeconds - Date.now() / 1000);
    },
  });
  return {
    rootCertExpiry(seconds) {
      notAfterSeconds = seconds;
      timestamp.set(seconds);
    },
  };
}

/** Istio's citadel_server_* CA counters (same names and help texts' meaning). */
function caMetrics(registers: Registry[]): CaMetrics {
  const csr = new Counter({ name: 'citadel_server_csr_count', help: 'The number of CSRs received by Citadel server.', registers });
  const authn = new Counter({ name: 'citadel_server_authentication_failure_count', help: 'The number of authentication failures.', registers });
  const parsing = new Counter({ name: 'citadel_server_csr_parsing_err_count', help: 'The number of errors occurred when parsing the CSR.', registers });
  const signing = new Counter({ name: 'citadel_server_csr_sign_err_count', help: 'The number of errors occurred when signing the CSR.', labelNames: ['error'], registers });
  const issued = new Counter({ name: 'citadel_server_success_cert_issuance_count', help: 'The number of certificates issuances that have succeeded.', registers });
  // Registered as Istio does; Istio stopped counting it when identities stopped coming from the
  // CSR, and this CA never takes them from the CSR: the series stays at 0 for dashboards.
  new Counter({ name: 'citadel_server_id_extraction_err_count', help: 'The number of errors occurred when extracting the ID from CSR.', registers });
  return {
    csrReceived: () => csr.inc(),
    authenticationFailed: () => authn.inc(),
    csrParsingFailed: () => parsing.inc(),
    signFailed: (error) => signing.inc({ error }),
    certIssued: () => issued.inc(),
  };
}

/** Istio's injector (sidecar_injection_*) and validation webhook (galley_validation_*) counters. */
function webhookMetrics(registers: Registry[]): WebhookMetrics {
  const requests = new Counter({ name: 'sidecar_injection_requests_total', help: 'Total number of sidecar injection requests.', registers });
  const success = new Counter({ name: 'sidecar_injection_success_total', help: 'Total number of successful sidecar injection requests.', registers });
  const skip = new Counter({ name: 'sidecar_injection_skip_total', help: 'Total number of skipped sidecar injection requests.', registers });
  const failure = new Counter({ name: 'sidecar_injection_failure_total', help: 'Total number of failed sidecar injection requests.', labelNames: ['type'], registers });
  const passed = new Counter({ name: 'galley_validation_passed', help: 'Resource is valid.', labelNames: ['group', 'version', 'resource'], registers });
  const failed = new Counter({ name: 'galley_validation_failed', help: 'Resource validation failed.', labelNames: ['group', 'version', 'resource', 'reason'], registers });
  const httpError = new Counter({ name: 'galley_validation_http_error', help: 'Resource validation http serve errors.', labelNames: ['status'], registers });
  return {
    injectionRequested: () => requests.inc(),
    injectionSucceeded: () => success.inc(),
    injectionSkipped: () => skip.inc(),
    injectionFailed: (type) => failure.inc({ type }),
    validationPassed: (r) => passed.inc({ group: r.group, version: r.version, resource: r.resource }),
    validationFailed: (r, reason) => failed.inc({ group: r.group, version: r.version, resource: r.resource, reason }),
    httpError: (status) => httpError.inc({ status: String(status) }),
  };
}

export function createMeshMetrics(): MeshMetrics {
  const registry = new Registry();
  const registers = [registry];
  // A 100 ms event-loop sampling period instead of 10 ms: the default wakes an idle daemon 100 times a second.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  const debounce = new Histogram({ name: 'pilot_debounce_time', help: 'Delay in seconds between the first config enters debouncing and the merged push request is pushed into the push queue.', buckets: TIME_BUCKETS, registers });
  const services = new Gauge({ name: 'pilot_services', help: 'Total services known to pilot.', registers });
  const virtualServices = new Gauge({ name: 'pilot_virt_services', help: 'Total virtual services known to pilot.', registers });
  return {
    registry,
    xds: xdsMetrics(registers),
    ca: caMetrics(registers),
    caRoots: caRootMetrics(registers),
    webhooks: webhookMetrics(registers),
    debounced: (seconds) => debounce.observe(seconds),
    snapshotSizes(svc, vs) {
      services.set(svc);
      virtualServices.set(vs);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

/**
 * Prometheus metrics merge (Istio's applyPrometheusMerge): the agent serves merged app + Envoy
 * metrics on the status port, so the pod's prometheus.io annotations are pointed there and the
 * app's own scrape settings travel to the agent in ISTIO_PROMETHEUS_ANNOTATIONS.
 */
import type { MeshConfig } from '../config/mesh-types.js';
import { A, parseGoBool } from './annotations.js';
import type { Container } from './k8s.js';

/** Prometheus treats `prometheus.io/scrape`, `prometheus-io/scrape`, ... alike. */
const sanitize = (k: string): string => k.replace(/[^a-zA-Z0-9_]/g, '_');
const KEYS = { scrape: 'prometheus_io_scrape', port: 'prometheus_io_port', path: 'prometheus_io_path' } as const;

function find(annotations: Record<string, string>, key: string): string | undefined {
  for (const [k, v] of Object.entries(annotations)) if (sanitize(k) === key) return v;
  return undefined;
}

function mergeEnabled(mesh: MeshConfig, annotations: Record<string, string>): boolean {
  const v = annotations[A.mergeMetrics];
  const parsed = v === undefined ? undefined : parseGoBool(v);
  if (parsed !== undefined) return parsed;
  return (mesh as { enablePrometheusMerge?: boolean }).enablePrometheusMerge ?? true;
}

/** Mutates `annotations` and the sidecar's env. */
export function applyPrometheusMerge(annotations: Record<string, string>, sidecar: Container | undefined, mesh: MeshConfig, statusPort: number): void {
  const scrapeRaw = find(annotations, KEYS.scrape);
  const scrape = scrapeRaw === undefined ? true : (parseGoBool(scrapeRaw) ?? true);
  if (!scrape || !mergeEnabled(mesh, annotations)) return;
  const target = String(statusPort);
  if (find(annotations, KEYS.port) === target) return;
  const cfg = { scrape: find(annotations, KEYS.scrape) ?? '', path: find(annotations, KEYS.path) ?? '', port: find(annotations, KEYS.port) ?? '' };
  if (sidecar && (cfg.scrape || cfg.path || cfg.port)) {
    sidecar.env = [...(Array.isArray(sidecar.env) ? sidecar.env : []), { name: 'ISTIO_PROMETHEUS_ANNOTATIONS', value: JSON.stringify(cfg) }];
  }
  for (const k of Object.keys(annotations)) if ((Object.values(KEYS) as string[]).includes(sanitize(k))) delete annotations[k];
  annotations['prometheus.io/port'] = target;
  annotations['prometheus.io/path'] = '/stats/prometheus';
  annotations['prometheus.io/scrape'] = 'true';
}

/**
 * The read-only debug views served on --httpAddr, as functions of the current state. Names
 * follow istiod's /debug endpoints where one exists (configz, registryz, syncz-like status).
 */
import type { MeshConfig } from '../config/mesh-types.js';
import type { Options } from '../config/options.js';
import { authzView } from '../debug/authz-view.js';
import type { JwksLookup } from '../translate/common/authn/index.js';
import { certView, type CertViewSource } from '../debug/cert-view.js';
import type { DebugViews } from '../debug/http-server.js';
import { pushStatusView } from '../debug/push-status.js';
import { xdsViews } from '../debug/xds-views.js';
import type { AdsServer } from '../serve/types.js';
import type { Snapshot } from '../model/snapshot.js';
import type { FileSource } from '../sources/file/file-source.js';
import type { KubernetesSource } from '../sources/kubernetes/kube-source.js';
import type { ModelPipeline } from './model-pipeline.js';

interface ViewDeps {
  readonly pipeline: ModelPipeline;
  readonly fileSource?: FileSource;
  readonly kubeSource?: KubernetesSource;
  /** The mesh config in force (a function when it is hot-reloaded). */
  readonly mesh: MeshConfig | (() => MeshConfig);
  readonly options: Options;
  readonly version: string;
  readonly ads: AdsServer;
  /** The CA's state for /debug/cert; undefined when the secure port is disabled. */
  readonly cert?: CertViewSource;
  /** The JWKS resolver, for /debug/authorizationz's jwt_authn view. */
  readonly jwks?: JwksLookup;
}

type SourceReport = { readonly errors: readonly string[]; readonly warnings: readonly string[] };

function configz(snapshot: Snapshot | undefined, reports: readonly SourceReport[], query: URLSearchParams): unknown {
  const kind = query.get('kind');
  const all = snapshot?.configs.all() ?? [];
  return {
    version: snapshot?.version ?? 0,
    configs: kind ? all.filter((c) => c.kind === kind) : all,
    rejected: reports.filter((r) => r.errors.length > 0),
    warnings: reports.filter((r) => r.warnings.length > 0),
  };
}

function registryz(snapshot: Snapshot | undefined): unknown {
  if (!snapshot) return [];
  return snapshot.registry.services.map((s) => ({ ...s, endpoints: snapshot.endpointsOf(s) }));
}

export function debugViews(deps: ViewDeps): DebugViews {
  const { pipeline, fileSource, kubeSource } = deps;
  const reports = (): SourceReport[] => [...(fileSource?.reports() ?? []), ...(kubeSource?.reports() ?? [])];
  return {
    ready: () => (fileSource?.synced ?? true) && (kubeSource?.synced ?? true) && pipeline.ready(),
    routes: {
      '/debug/configz': (q) => configz(pipeline.current(), reports(), q),
      '/debug/registryz': () => registryz(pipeline.current()),
      '/debug/meshconfigz': () => (typeof deps.mesh === 'function' ? deps.mesh() : deps.mesh),
      '/debug/diagnosticz': () => pipeline.current()?.diagnostics ?? [],
      ...xdsViews(deps.ads),
      '/debug/push_status': pushStatusView(deps.ads, () => pipeline.current()),
      '/debug/cert': certView(deps.cert),
      '/debug/authorizationz': authzView({ ads: deps.ads, snapshot: () => pipeline.current(), mesh: () => (typeof deps.mesh === 'function' ? deps.mesh() : deps.mesh), ...(deps.jwks ? { jwks: () => deps.jwks! } : {}) }),
      '/debug/sourcez': () => ({
        version: deps.version,
        synced: { ...(fileSource ? { file: fileSource.synced } : {}), ...(kubeSource ? { kubernetes: kubeSource.synced } : {}) },
        snapshotVersion: pipeline.current()?.version ?? 0,
        configDir: deps.options.configDir,
        ...(kubeSource ? { kubernetes: kubeSource.status() } : {}),
      }),
    },
  };
}

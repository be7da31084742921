/**
 * The read-only debug views served on --httpAddr, as functions of the current state. Names
 * follow istiod's /debug endpoints where one exists (configz, registryz, syncz-like status).
 */
import type { MeshConfig } from '../config/mesh-types.js';
import type { Options } from '../config/options.js';
import { certView, type CertViewSource } from '../debug/cert-view.js';
import type { DebugViews } from '../debug/http-server.js';
import { pushStatusView } from '../debug/push-status.js';
import { xdsViews } from '../debug/xds-views.js';
import type { AdsServer } from '../serve/types.js';
import type { Snapshot } from '../model/snapshot.js';
import type { FileSource } from '../sources/file/file-source.js';
import type { ModelPipeline } from './model-pipeline.js';

interface ViewDeps {
  readonly pipeline: ModelPipeline;
  readonly fileSource: FileSource;
  readonly mesh: MeshConfig;
  readonly options: Options;
  readonly version: string;
  readonly ads: AdsServer;
  /** The CA's state for /debug/cert; undefined when the secure port is disabled. */
  readonly cert?: CertViewSource;
}

function configz(snapshot: Snapshot | undefined, fileSource: FileSource, query: URLSearchParams): unknown {
  const kind = query.get('kind');
  const all = snapshot?.configs.all() ?? [];
  return {
    version: snapshot?.version ?? 0,
    configs: kind ? all.filter((c) => c.kind === kind) : all,
    rejected: fileSource.reports().filter((r) => r.errors.length > 0),
    warnings: fileSource.reports().filter((r) => r.warnings.length > 0),
  };
}

function registryz(snapshot: Snapshot | undefined): unknown {
  if (!snapshot) return [];
  return snapshot.registry.services.map((s) => ({ ...s, endpoints: snapshot.endpointsOf(s) }));
}

export function debugViews(deps: ViewDeps): DebugViews {
  const { pipeline, fileSource } = deps;
  return {
    ready: () => fileSource.synced && pipeline.ready(),
    routes: {
      '/debug/configz': (q) => configz(pipeline.current(), fileSource, q),
      '/debug/registryz': () => registryz(pipeline.current()),
      '/debug/meshconfigz': () => deps.mesh,
      '/debug/diagnosticz': () => pipeline.current()?.diagnostics ?? [],
      ...xdsViews(deps.ads),
      '/debug/push_status': pushStatusView(deps.ads, () => pipeline.current()),
      '/debug/cert': certView(deps.cert),
      '/debug/sourcez': () => ({
        version: deps.version,
        synced: { file: fileSource.synced },
        snapshotVersion: pipeline.current()?.version ?? 0,
        configDir: deps.options.configDir,
      }),
    },
  };
}

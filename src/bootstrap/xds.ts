/**
 * Builds the ADS server from Options: the generator per proxy kind, the limits (flags and
 * PILOT_* env), metrics, and the subscription to synced snapshots.
 */
import type { MeshConfig } from '../config/mesh-types.js';
import type { Options } from '../config/options.js';
import type { Logger } from '../lib/logger.js';
import type { Proxy } from '../model/proxy.js';
import { createAdsServer } from '../serve/ads-server.js';
import { DEFAULT_ADS_LIMITS, type AdsLimits, type AdsServer, type XdsMetrics } from '../serve/types.js';
import { createGatewayGenerator } from '../translate/gateway/index.js';
import { createGrpcGenerator } from '../translate/grpc/index.js';
import { createSidecarGenerator } from '../translate/sidecar/index.js';
import type { Generator } from '../translate/types.js';
import type { MeshMetrics } from '../debug/metrics.js';
import type { ModelPipeline } from './model-pipeline.js';
import type { MeshHolder } from './load-mesh-config.js';
import { pushCredentialChanges, type GatewayCredentials } from './gateway-credentials.js';
import { pushCaBundleChanges, type CaBundles } from './configmap-ca.js';
import type { JwksLookup } from '../translate/common/authn/jwks-lookup.js';
import type { JwksResolver } from './jwks-resolver.js';
import { pushJwksChanges } from './jwks-push.js';

export function adsLimits(options: Options): AdsLimits {
  const rate = options.maxRequestsPerSecond > 0 ? options.maxRequestsPerSecond : DEFAULT_ADS_LIMITS.newStreamsPerSecond;
  return {
    ...DEFAULT_ADS_LIMITS,
    pushThrottle: options.pushThrottle,
    maxRecvMessageBytes: options.grpcMaxRecvMsgSize,
    sendTimeoutMs: options.xdsSendTimeoutMs,
    maxConnectionAgeMs: options.keepaliveMaxServerConnectionAgeMs,
    keepaliveTimeMs: options.keepaliveIntervalMs,
    keepaliveTimeoutMs: options.keepaliveTimeoutMs,
    newStreamsPerSecond: rate,
    newStreamsBurst: rate * 2,
  };
}

/**
 * A Generator that forwards to whichever one `current` returns now. Connections keep the
 * generator they got at connect time, so a mesh config change must reach them through this.
 */
function following(current: () => Generator): Generator {
  return {
    get name() { return current().name; },
    get typeUrls() { return current().typeUrls; },
    get nameScopedTypeUrls() { return current().nameScopedTypeUrls; },
    scopeKey: (proxy, typeUrl, name) => current().scopeKey(proxy, typeUrl, name),
    generate: (snapshot, proxy, typeUrl, names) => current().generate(snapshot, proxy, typeUrl, names),
    affectedByEndpoints: (changes, typeUrl, name) => current().affectedByEndpoints(changes, typeUrl, name),
    alsoAffectedByEndpoints: (snapshot, changes, proxy) => current().alsoAffectedByEndpoints?.(snapshot, changes, proxy) ?? [],
    alsoAffectedBySecrets: (snapshot, changes, proxy) => current().alsoAffectedBySecrets?.(snapshot, changes, proxy) ?? [],
  };
}

/**
 * Proxyless gRPC clients (GENERATOR=grpc) get grpcgen's shapes, Envoy sidecars the sidecar
 * generator, gateways (type router) the gateway generator. Generators take the mesh config at
 * creation: when the holder has a new one they are built again, and the pipeline's full push
 * that follows a mesh change regenerates every connected proxy's config with it.
 */
function generatorSelector(mesh: MeshConfig | MeshHolder, options: Options, credentials?: GatewayCredentials, jwks?: JwksLookup, caBundles?: CaBundles): (proxy: Proxy) => Generator | undefined {
  const jwksOption = jwks ? { jwks: () => jwks } : {};
  const caOption = caBundles ? { caBundles: () => caBundles.index() } : {};
  // Sidecars too: a DestinationRule with a workloadSelector may name a credentialName secret.
  const credentialsOption = credentials ? { credentials: () => credentials.index() } : {};
  const build = (m: MeshConfig) => ({
    mesh: m,
    grpc: createGrpcGenerator({ mesh: m }),
    sidecar: createSidecarGenerator({ mesh: m, features: { tlsOnSidecarIngress: options.enableTlsOnSidecarIngress }, ...jwksOption, ...caOption, ...credentialsOption }),
    router: createGatewayGenerator({ mesh: m, features: { scopeGatewayToNamespace: options.scopeGatewayToNamespace }, ...credentialsOption, ...jwksOption, ...caOption }),
  });
  const currentMesh = () => ('current' in mesh ? mesh.current() : mesh);
  let built = build(currentMesh());
  const latest = () => {
    if (built.mesh !== currentMesh()) built = build(currentMesh());
    return built;
  };
  const grpc = following(() => latest().grpc);
  const sidecar = following(() => latest().sidecar);
  const router = following(() => latest().router);
  return (proxy) => {
    if (proxy.metadata.generator === 'grpc') return grpc;
    return proxy.type === 'router' ? router : sidecar;
  };
}

/**
 * `credentials`: the Kubernetes Secrets behind credentialName (gateways, and sidecars through a
 * DestinationRule with a workloadSelector), when there are any. `jwks`: the JWKS resolver; it sees each snapshot before ADS does, and its changes
 * are pushed as LDS (pushJwksChanges).
 */
export function createXdsServer(deps: { options: Options; mesh: MeshConfig | MeshHolder; pipeline: ModelPipeline; metrics: MeshMetrics; logger: Logger; credentials?: GatewayCredentials; jwks?: JwksResolver; caBundles?: CaBundles }): AdsServer {
  const xdsMetrics: XdsMetrics = deps.metrics.xds;
  const ads = createAdsServer({
    generatorFor: generatorSelector(deps.mesh, deps.options, deps.credentials, deps.jwks, deps.caBundles),
    logger: deps.logger,
    metrics: xdsMetrics,
    limits: adsLimits(deps.options),
  });
  deps.pipeline.subscribe((snapshot, changes, timing) => {
    // New jwksUris start fetching now; until they arrive their rules inline an unverifiable set.
    if (deps.jwks && (changes.full || changes.kinds.includes('RequestAuthentication'))) deps.jwks.update(snapshot);
    deps.metrics.debounced(Math.max(0, timing.firedAt - timing.firstEventAt) / 1000);
    deps.metrics.snapshotSizes(snapshot.registry.services.length, snapshot.configs.list('VirtualService').length);
    ads.onSnapshot(snapshot, changes, timing.firstEventAt);
  });
  if (deps.credentials) pushCredentialChanges(deps.credentials, deps.pipeline, ads, deps.logger);
  // ConfigMap CA bundles (configmap:// credentialName): a change pushes SDS only.
  if (deps.caBundles) pushCaBundleChanges(deps.caBundles, deps.pipeline, ads, deps.logger);
  if (deps.jwks) pushJwksChanges(deps.jwks, deps.pipeline, ads, deps.logger);
  return ads;
}

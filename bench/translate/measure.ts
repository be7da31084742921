/**
 * Per-proxy cost of each xDS type for one scenario, the way a sidecar or gateway asks: LDS and CDS
 * wildcard, RDS for the route configurations the listeners name, EDS for the EDS clusters.
 *   cold: a fresh generator and no resource cache — generate() and encode every resource;
 *   cold, setup excluded: as cold, but one generator for all iterations, primed by one untimed
 *     generate(), so per-proxy setup it keeps (a router's merged gateways) is not timed — what
 *     Istio's benchmark does (setupAndInitializeTest before b.ResetTimer());
 *   warm: serve's ResourceCache on the same snapshot, already filled: the second resolve.
 * Medians over the iterations, after untimed warm-up runs (at least 20 and 400 ms) so the JIT has
 * compiled the hot paths, as in a daemon that has been serving for a while.
 */
import { ResourceCache, type CacheProblems } from '../../src/serve/resource-cache.js';
import { encodeResourceBody } from '../../src/serve/proto/encode.js';
import type { MeshConfig } from '../../src/config/mesh-types.js';
import { createGatewayGenerator } from '../../src/translate/gateway/index.js';
import { createSidecarGenerator } from '../../src/translate/sidecar/index.js';
import { TypeUrl } from '../../src/translate/type-urls.js';
import type { Generator, XdsResource } from '../../src/translate/types.js';
import { edsClusterNames, routeConfigNames } from './references.js';
import type { LoadedScenario } from './scenarios.js';

export type XdsType = 'LDS' | 'RDS' | 'CDS' | 'EDS';

export interface TypeResult {
  readonly type: XdsType;
  readonly resources: number;
  /** Sum of the encoded resource sizes of one response. */
  readonly bytes: number;
  readonly coldUs: number;
  /**
   * Cold with the per-proxy setup Istio's benchmark does before its timed loop excluded
   * (initPushContext: SetSidecarScope, SetGatewaysForProxy): the same generator every iteration,
   * so a router's merged gateways are kept; everything else is built and encoded again. A sidecar
   * generator keeps nothing per proxy, so for sidecars this equals cold.
   */
  readonly coldSetupExcludedUs: number;
  readonly warmUs: number;
  readonly diagnostics: number;
}

const URLS: Record<XdsType, string> = {
  LDS: TypeUrl.Listener, RDS: TypeUrl.RouteConfiguration, CDS: TypeUrl.Cluster, EDS: TypeUrl.ClusterLoadAssignment,
};

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)]!;
}

/** Untimed runs first, so the JIT has compiled the hot paths as in a long-running daemon. */
const WARMUP_MS = 400;
const WARMUP_RUNS = 20;

function timed(iterations: number, fn: () => void): number {
  const warmStart = process.hrtime.bigint();
  for (let i = 0; i < WARMUP_RUNS || Number(process.hrtime.bigint() - warmStart) < WARMUP_MS * 1e6; i++) fn();
  const us: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    us.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return median(us);
}

const quietProblems = (failures: string[]): CacheProblems => ({
  generatorFailed: (_g, typeUrl, error) => void failures.push(`${typeUrl}: generator failed: ${String(error)}`),
  encodeFailed: (_g, _t, name, error) => void failures.push(`${name}: encode failed: ${String(error)}`),
  diagnostics: () => undefined,
});

function encodedBytes(resources: readonly XdsResource[]): number {
  return resources.reduce((sum, r) => sum + encodeResourceBody(r.body).bytes.length, 0);
}

/** The names a sidecar subscribes to for each type (undefined: wildcard). */
function subscriptions(scenario: LoadedScenario, gen: Generator): Record<XdsType, string[] | undefined> {
  const { snapshot, proxy } = scenario;
  const bodies = (typeUrl: string) => gen.generate(snapshot, proxy, typeUrl, undefined).resources.map((r) => r.body as Record<string, unknown>);
  return {
    LDS: undefined,
    CDS: undefined,
    RDS: routeConfigNames(bodies(TypeUrl.Listener)),
    EDS: edsClusterNames(bodies(TypeUrl.Cluster)),
  };
}

/** A fresh generator of the kind the daemon picks for this proxy type (sidecar or router). */
function generatorFor(proxyType: string, mesh: MeshConfig): Generator {
  return proxyType === 'router' ? createGatewayGenerator({ mesh }) : createSidecarGenerator({ mesh });
}

export function measureScenario(scenario: LoadedScenario, iterations: number, failures: string[], types?: readonly string[]): TypeResult[] {
  const { snapshot, proxy, mesh } = scenario;
  const fresh = () => generatorFor(scenario.proxyType, mesh);
  const names = subscriptions(scenario, fresh());
  const results: TypeResult[] = [];
  for (const type of ['LDS', 'RDS', 'CDS', 'EDS'] as const) {
    if (types && !types.includes(type)) continue;
    const typeUrl = URLS[type];
    const once = fresh().generate(snapshot, proxy, typeUrl, names[type]);
    const coldUs = timed(iterations, () => {
      const out = fresh().generate(snapshot, proxy, typeUrl, names[type]);
      for (const r of out.resources) encodeResourceBody(r.body);
    });
    const primed = fresh();
    primed.generate(snapshot, proxy, typeUrl, names[type]);
    const coldSetupExcludedUs = timed(iterations, () => {
      const out = primed.generate(snapshot, proxy, typeUrl, names[type]);
      for (const r of out.resources) encodeResourceBody(r.body);
    });
    const gen = fresh();
    const cache = new ResourceCache(snapshot, quietProblems(failures));
    cache.resolve(gen, proxy, typeUrl, names[type]);
    const warmUs = timed(iterations, () => cache.resolve(gen, proxy, typeUrl, names[type]));
    results.push({ type, resources: once.resources.length, bytes: encodedBytes(once.resources), coldUs, coldSetupExcludedUs, warmUs, diagnostics: once.diagnostics.length });
  }
  return results;
}

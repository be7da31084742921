/**
 * Routes Istio gives a sidecar without a VirtualService: the `default` route of a service port
 * (prefix "/", its default cluster, no timeout, the mesh's default retry policy, the
 * DestinationRule's hash policy), and the catch-all virtual host for unknown hosts:
 * `allow_any` to PassthroughCluster (or the Sidecar's egressProxy cluster, see
 * cds/catch-all.ts) under ALLOW_ANY, `block_all` answering 502 under REGISTRY_ONLY.
 */
import type { MeshService } from '../../../model/registry/types.js';
import { buildClusterName } from '../../common/cluster-name.js';
import { ZERO_DURATION } from '../../common/proto-values.js';
import { catchAllCluster } from '../cds/catch-all.js';
import type { SidecarContext } from '../context.js';
import { hashPolicyForService } from './hash-policy.js';
import { buildRetryPolicy } from './retry.js';
import type { Json } from './types.js';

export function buildDefaultRoute(ctx: SidecarContext, service: MeshService, port: number): Json {
  const retry = buildRetryPolicy(ctx.mesh.defaultHttpRetryPolicy, false, { source: undefined, path: 'defaultHttpRetryPolicy' }, ctx.diags);
  const hash = hashPolicyForService(ctx, service, port);
  return {
    name: 'default',
    match: { prefix: '/' },
    decorator: { operation: `${service.hostname}:${port}/*` },
    route: {
      cluster: buildClusterName(port, '', service.hostname),
      timeout: ZERO_DURATION,
      max_grpc_timeout: ZERO_DURATION,
      ...(retry ? { retry_policy: retry } : {}),
      ...(hash ? { hash_policy: [hash] } : {}),
    },
  };
}

export function buildCatchAllVirtualHost(ctx: SidecarContext): Json {
  const attempts = ctx.proxyHeaders('sidecar-outbound').includeAttemptCount ? { include_request_attempt_count: true } : {};
  if (ctx.outboundMode() === 'ALLOW_ANY') {
    return {
      name: 'allow_any',
      domains: ['*'],
      routes: [{ name: 'allow_any', match: { prefix: '/' }, route: { cluster: catchAllCluster(ctx), timeout: ZERO_DURATION, max_grpc_timeout: ZERO_DURATION } }],
      ...attempts,
    };
  }
  return {
    name: 'block_all',
    domains: ['*'],
    routes: [{ name: 'block_all', match: { prefix: '/' }, direct_response: { status: 502 } }],
    ...attempts,
  };
}

/**
 * The routing mesh shared by the grpc-js and C-core routing tests: `echo` (pods echo-v1 and
 * echo-v2, subsets by the version label) with header routing, a fault abort and an 80/20
 * split; `echo-hash` (the same pods) with ring hash on a header; `echo-flaky` (one backend
 * failing every other call) with and without retries.
 */
import { dest, destinationRule, fqdn, headerMatch, virtualService, type MeshSpec } from './mesh.js';

export const ECHO = fqdn('echo');
export const ECHO_HASH = fqdn('echo-hash');
export const ECHO_FLAKY = fqdn('echo-flaky');

/** The gRPC status the fault route aborts with (Istio spells it by name). */
export const ABORT_STATUS = 'PERMISSION_DENIED';

export const routeToV2 = { name: 'to-v2', match: [headerMatch('x-route', 'v2')], route: [dest(ECHO, 'v2')] };
export const abortRoute = {
  name: 'abort',
  match: [headerMatch('x-fault', 'abort')],
  fault: { abort: { grpcStatus: ABORT_STATUS, percentage: { value: 100 } } },
  route: [dest(ECHO, 'v1')],
};
export const split80To20 = { name: 'split', route: [dest(ECHO, 'v1', 80), dest(ECHO, 'v2', 20)] };

export function echoVirtualService(defaultRoute: object = split80To20): object {
  return virtualService('echo', ECHO, [abortRoute, routeToV2, defaultRoute]);
}

export function routingMesh(): MeshSpec {
  return {
    workloads: [
      { pod: 'echo-v1', ip: '127.0.0.2', app: 'echo', version: 'v1' },
      { pod: 'echo-v2', ip: '127.0.0.3', app: 'echo', version: 'v2' },
      { pod: 'echo-flaky', ip: '127.0.0.4', app: 'echo-flaky', flaky: true },
    ],
    services: { echo: 'echo', 'echo-hash': 'echo', 'echo-flaky': 'echo-flaky' },
    routing: {
      'destination-rules.yaml': [
        destinationRule('echo', ECHO, { subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] }),
        destinationRule('echo-hash', ECHO_HASH, { trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: 'x-user' } } } }),
      ],
      'echo-vs.yaml': [echoVirtualService()],
      'flaky-vs.yaml': [
        virtualService('echo-flaky', ECHO_FLAKY, [
          { name: 'no-retries', match: [headerMatch('x-retry', 'off')], retries: { attempts: 0 }, route: [dest(ECHO_FLAKY)] },
          { name: 'retries', retries: { attempts: 3, retryOn: 'unavailable' }, route: [dest(ECHO_FLAKY)] },
        ]),
      ],
    },
  };
}

/**
 * App probe rewriting (Istio's app_probe.go): the kubelet cannot reach an app port behind mTLS,
 * so HTTP/TCP/gRPC probes are pointed at the agent's status port (/app-health/<c>/readyz|livez|
 * startupz) and the original probes travel to the agent in ISTIO_KUBE_APP_PROBERS.
 */
import { A, parseGoBool, PROXY_NAME } from './annotations.js';
import { containersOf, isObject, type Container, type JsonObject } from './k8s.js';

const PROBES = [['readinessProbe', 'readyz'], ['livenessProbe', 'livez'], ['startupProbe', 'startupz']] as const;

export function shouldRewriteProbes(annotations: Readonly<Record<string, string>>, valuesDefault: boolean): boolean {
  const v = annotations[A.rewriteAppHTTPProbers];
  return (v !== undefined ? parseGoBool(v) : undefined) ?? valuesDefault;
}

/** The fields of an action in Go's struct order, so the JSON reads like Istio's. */
function ordered(action: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const k of keys) if (action[k] !== undefined) out[k] = action[k];
  return out;
}

function internalProber(probe: unknown, ports: ReadonlyMap<string, number>, statusPort: number): JsonObject | undefined {
  if (!isObject(probe)) return undefined;
  const timeout = typeof probe.timeoutSeconds === 'number' && probe.timeoutSeconds !== 0 ? { timeoutSeconds: probe.timeoutSeconds } : {};
  if (isObject(probe.grpc)) return { grpc: ordered(probe.grpc, ['port', 'service']), ...timeout };
  const kind = isObject(probe.httpGet) ? 'httpGet' : isObject(probe.tcpSocket) ? 'tcpSocket' : undefined;
  if (!kind) return undefined;
  const action = ordered(probe[kind] as JsonObject, kind === 'httpGet' ? ['path', 'port', 'host', 'scheme', 'httpHeaders'] : ['port', 'host']);
  if (typeof action.port === 'string' && !/^\d+$/.test(action.port)) {
    const resolved = ports.get(action.port);
    if (resolved === undefined) return undefined;
    action.port = resolved;
  } else if (Number(action.port) === statusPort) {
    return undefined; // already points at the agent
  }
  return { [kind]: action, ...timeout };
}

function namedPorts(c: Container): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of Array.isArray(c.ports) ? c.ports : []) if (isObject(p) && typeof p.name === 'string' && p.name && typeof p.containerPort === 'number') out.set(p.name, p.containerPort);
  return out;
}

/** ISTIO_KUBE_APP_PROBERS: keys sorted as Go marshals a map; '' when there is nothing to carry. */
export function dumpAppProbers(spec: JsonObject, statusPort: number): string {
  const out: Record<string, JsonObject> = {};
  for (const c of [...containersOf(spec.initContainers), ...containersOf(spec.containers)]) {
    if (c.name === PROXY_NAME) continue;
    const ports = namedPorts(c);
    for (const [field, suffix] of PROBES) {
      const prober = internalProber(c[field], ports, statusPort);
      if (prober) out[`/app-health/${c.name}/${suffix}`] = prober;
    }
  }
  const keys = Object.keys(out).sort();
  return keys.length === 0 ? '' : JSON.stringify(Object.fromEntries(keys.map((k) => [k, out[k]])));
}

function convertProbe(probe: unknown, url: string, port: number): JsonObject | undefined {
  if (!isObject(probe)) return undefined;
  const p = structuredClone(probe);
  if (isObject(p.httpGet)) {
    p.httpGet = { ...p.httpGet, path: url, port, ...(p.httpGet.scheme === 'HTTPS' ? { scheme: 'HTTP' } : {}) };
    return p;
  }
  if (isObject(p.tcpSocket) || isObject(p.grpc)) {
    delete p.tcpSocket;
    delete p.grpc;
    p.httpGet = { path: url, port };
    return p;
  }
  return undefined;
}

/** Points every app container's probes at the agent (mutates the given containers). */
export function rewriteProbes(containers: Container[], statusPort: number): void {
  for (const c of containers) {
    if (c.name === PROXY_NAME) continue;
    for (const [field, suffix] of PROBES) {
      const converted = convertProbe(c[field], `/app-health/${c.name}/${suffix}`, statusPort);
      if (converted) c[field] = converted;
    }
  }
}

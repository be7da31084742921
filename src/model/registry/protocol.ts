/** Port protocol selection, following Istio's rules for Kubernetes Services and ServiceEntries. */
import type { Protocol } from './types.js';

const BY_NAME: ReadonlyMap<string, Protocol> = new Map<string, Protocol>([
  ['http', 'HTTP'], ['http2', 'HTTP2'], ['https', 'HTTPS'], ['grpc', 'GRPC'], ['grpc-web', 'GRPC-Web'],
  ['http_proxy', 'HTTP_PROXY'], ['tcp', 'TCP'], ['tls', 'TLS'], ['udp', 'UDP'],
  ['mongo', 'Mongo'], ['mysql', 'MySQL'], ['redis', 'Redis'],
]);

/** Kubernetes' standard appProtocol values (valid only in appProtocol, not in port names). */
const K8S_APP_PROTOCOLS: ReadonlyMap<string, Protocol> = new Map<string, Protocol>([
  ['kubernetes.io/h2c', 'HTTP2'], ['kubernetes.io/ws', 'HTTP'], ['kubernetes.io/wss', 'HTTPS'],
]);

/** Ports whose servers speak first or break under sniffing: SMTP, DNS, MySQL, MongoDB → TCP. */
const SERVER_FIRST_PORTS: ReadonlySet<number> = new Set([25, 53, 3306, 27017]);

/** Case-insensitive protocol name → Protocol ('UnsupportedProtocol' when unknown). */
export function parseProtocol(name: string | undefined): Protocol {
  if (!name) return 'UnsupportedProtocol';
  return BY_NAME.get(name.toLowerCase()) ?? 'UnsupportedProtocol';
}

/**
 * A Kubernetes Service port: UDP transport wins; then appProtocol; then the port name
 * `<protocol>` or `<protocol>-<suffix>` (grpc-web checked before splitting on '-');
 * else TCP for well-known server-first ports, else auto-detect.
 */
export function kubePortProtocol(port: number, name: string | undefined, l4: string | undefined, appProtocol: string | undefined): Protocol {
  if (l4 === 'UDP') return 'UDP';
  let candidate = name ?? '';
  if (appProtocol) {
    const standard = K8S_APP_PROTOCOLS.get(appProtocol);
    if (standard) return standard;
    candidate = appProtocol;
  }
  const lower = candidate.toLowerCase();
  if (lower === 'grpc-web' || lower.startsWith('grpc-web-')) return 'GRPC-Web';
  const dash = lower.indexOf('-');
  const found = parseProtocol(dash >= 0 ? lower.slice(0, dash) : lower);
  if (found === 'UnsupportedProtocol' && SERVER_FIRST_PORTS.has(port)) return 'TCP';
  return found;
}

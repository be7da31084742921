/**
 * Istio's cluster naming: `<direction>|<port>|<subset>|<fqdn>`, e.g.
 * `outbound|8080|v1|echo.app.svc.cluster.local` (subset empty for the service's default cluster).
 * Proxyless gRPC also uses the outbound form as its route-configuration name.
 */

/** Istio's fixed clusters: original-destination passthrough (outbound / inbound) and the black hole. */
export const SpecialCluster = Object.freeze({
  Passthrough: 'PassthroughCluster',
  BlackHole: 'BlackHoleCluster',
  InboundPassthrough: 'InboundPassthroughCluster',
});

export type TrafficDirection = 'outbound' | 'inbound';

export interface ClusterName {
  readonly direction: TrafficDirection;
  readonly port: number;
  readonly subset: string;
  readonly host: string;
}

export function buildClusterName(port: number, subset: string, host: string, direction: TrafficDirection = 'outbound'): string {
  return `${direction}|${port}|${subset}|${host}`;
}

/** The parts of a cluster name, or undefined when it is not of Istio's four-part form. */
export function parseClusterName(name: string): ClusterName | undefined {
  const parts = name.split('|');
  if (parts.length !== 4) return undefined;
  const [direction, portText, subset, host] = parts as [string, string, string, string];
  if (direction !== 'outbound' && direction !== 'inbound') return undefined;
  const port = decimalPort(portText);
  if (port === undefined || host === '') return undefined;
  return { direction, port, subset, host };
}

/** 1–65535 written as 1 to 5 plain digits, else undefined. */
function decimalPort(text: string): number | undefined {
  if (text.length === 0 || text.length > 5) return undefined;
  let port = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    port = port * 10 + digit;
  }
  return port >= 1 && port <= 65535 ? port : undefined;
}

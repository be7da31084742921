/**
 * Read-only views of the ADS server for operators, shaped after istiod's: /debug/syncz (per
 * proxy and type: what was sent, ACKed, NACKed and why), /debug/config_dump?proxyID=<pod>.<ns>
 * (the resources that proxy holds, as Envoy's JSON) and /debug/adsz (the connections).
 */
import type { AdsServer, ConnectionStatus, TypeStatus } from '../serve/types.js';
import { shortTypeName } from '../translate/type-urls.js';
import { Reply, type RouteHandler } from './http-server.js';

function typeSummary(t: TypeStatus): Record<string, unknown> {
  return {
    subscribed: t.subscribed ?? '*',
    sent: t.sentVersion ?? null,
    sentNonce: t.sentNonce ?? null,
    sentAt: t.sentAt ?? null,
    acked: t.ackedVersion ?? null,
    nacked: t.nackedVersion ?? null,
    nackMessage: t.nackMessage ?? null,
    resources: t.resourceNames.length,
  };
}

function syncStatus(c: ConnectionStatus): Record<string, unknown> {
  const types = Object.fromEntries(c.types.map((t) => [shortTypeName(t.typeUrl), typeSummary(t)]));
  const stale = c.types.some((t) => t.sentVersion !== undefined && t.sentVersion !== t.ackedVersion && t.nackedVersion !== t.sentVersion);
  const nacked = c.types.some((t) => t.nackedVersion !== undefined && t.nackedVersion === t.sentVersion);
  return {
    proxy: c.proxyId,
    conId: c.conId,
    protocol: c.protocol,
    generator: c.generator,
    istio_version: c.istioVersion ?? null,
    status: nacked ? 'NACKED' : stale ? 'STALE' : 'SYNCED',
    types,
  };
}

function configDump(ads: AdsServer, query: URLSearchParams): unknown {
  const proxyId = query.get('proxyID');
  if (!proxyId) return new Reply(400, { error: 'query parameter proxyID=<pod>.<namespace> is required', connected: ads.connections().map((c) => c.proxyId) });
  const sent = ads.sentResources(proxyId);
  if (!sent) return new Reply(404, { error: `proxy ${JSON.stringify(proxyId)} is not connected`, connected: ads.connections().map((c) => c.proxyId) });
  const configs = [...sent.entries()].map(([typeUrl, resources]) => ({
    typeUrl,
    type: shortTypeName(typeUrl),
    resources: [...resources].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((r) => r.body),
  }));
  return { proxy: proxyId, configs };
}

export function xdsViews(ads: AdsServer): Record<string, RouteHandler> {
  return {
    '/debug/syncz': () => ads.connections().map(syncStatus),
    '/debug/adsz': () => ({ totalClients: ads.connections().length, clients: ads.connections() }),
    '/debug/config_dump': (q) => configDump(ads, q),
  };
}

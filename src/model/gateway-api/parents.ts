/**
 * Where a route attaches: each parentRef → the listeners of one of our Gateways that accept it
 * (sectionName, port, allowedRoutes namespaces and kinds, hostname intersection), or a Service
 * (GAMMA mesh routing), with the Accepted condition Istio reports for that parent.
 */
import type { ConfigObject } from '../config.js';
import { accepted, condition } from './conditions.js';
import { classIsOurs, type ListenerInfo, type GatewayInfo } from './gateways.js';
import { isCoreGroup, serviceHost } from './references.js';
import { GATEWAY_GROUP, type Condition, type GatewaySpec, type LabelSelectorSpec, type ParentReference, type RouteSpec } from './types.js';
import type { GatewayApiWorld } from './world.js';

export interface Attachment {
  readonly listener: ListenerInfo;
  /** The route's hostnames as narrowed by the listener's ('*' for any). */
  readonly hosts: readonly string[];
}

export interface ParentResult {
  readonly parentRef: ParentReference;
  readonly attachments: readonly Attachment[];
  /** GAMMA: the Service host (and port) the route applies to for sidecars. */
  readonly mesh?: { readonly host: string; readonly port?: number };
  /** Undefined when the parent is not ours (another controller's Gateway): no status entry. */
  readonly accepted?: Condition;
}

function selectorMatches(selector: LabelSelectorSpec | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return byLabels && (selector.matchExpressions ?? []).every((e) => {
    const has = e.key !== undefined && e.key in labels;
    const value = e.key === undefined ? undefined : labels[e.key];
    switch (e.operator) {
      case 'In': return value !== undefined && (e.values ?? []).includes(value);
      case 'NotIn': return value === undefined || !(e.values ?? []).includes(value);
      case 'Exists': return has;
      case 'DoesNotExist': return !has;
      default: return false;
    }
  });
}

function namespaceAllowed(world: GatewayApiWorld, listener: ListenerInfo, routeNs: string): boolean {
  const from = listener.listener.allowedRoutes?.namespaces?.from ?? 'Same';
  if (from === 'All') return true;
  if (from === 'Same') return routeNs === listener.gateway.metadata.namespace;
  return selectorMatches(listener.listener.allowedRoutes?.namespaces?.selector ?? { matchLabels: { '__never__': '' } }, world.namespaceLabels.get(routeNs) ?? {});
}

const suffixOf = (wildcard: string) => wildcard.slice(1); // '*.example.com' → '.example.com'

/** The intersection of one route hostname and a listener hostname, or undefined. */
function intersect(route: string, listener: string): string | undefined {
  if (route === listener) return route;
  const rw = route.startsWith('*.');
  const lw = listener.startsWith('*.');
  if (!rw && lw) return route.endsWith(suffixOf(listener)) ? route : undefined;
  if (rw && !lw) return listener.endsWith(suffixOf(route)) ? listener : undefined;
  if (rw && lw) {
    if (route.endsWith(suffixOf(listener))) return route;
    if (listener.endsWith(suffixOf(route))) return listener;
  }
  return undefined;
}

export function listenerHosts(routeHostnames: readonly string[], listenerHostname: string | undefined): string[] {
  if (routeHostnames.length === 0) return [listenerHostname ?? '*'];
  if (!listenerHostname) return [...routeHostnames];
  return [...new Set(routeHostnames.flatMap((h) => intersect(h, listenerHostname) ?? []))];
}

const usesHostnames = (kind: string) => kind !== 'TCPRoute';

function meshParent(world: GatewayApiWorld, route: ConfigObject, ref: ParentReference): ParentResult {
  const namespace = ref.namespace ?? route.metadata.namespace;
  if (!world.services.has(`${namespace}/${ref.name ?? ''}`)) {
    return { parentRef: ref, attachments: [], accepted: condition(route, 'Accepted', false, 'NoMatchingParent', `parent service ${namespace}/${ref.name ?? ''} not found`) };
  }
  const host = serviceHost(ref.name ?? '', namespace, world.domain);
  return { parentRef: ref, attachments: [], mesh: { host, ...(ref.port !== undefined ? { port: ref.port } : {}) }, accepted: accepted(route) };
}

function gatewayParent(world: GatewayApiWorld, gateways: ReadonlyMap<string, GatewayInfo>, route: ConfigObject, ref: ParentReference): ParentResult {
  const key = `${ref.namespace ?? route.metadata.namespace}/${ref.name ?? ''}`;
  const info = gateways.get(key);
  const raw = world.gateways.get(key);
  if (!info) {
    // Another controller's Gateway is not ours to report on.
    if (raw && !classIsOurs(world, (raw.spec as GatewaySpec).gatewayClassName)) return { parentRef: ref, attachments: [] };
    return { parentRef: ref, attachments: [], accepted: condition(route, 'Accepted', false, 'NoMatchingParent', `parent gateway ${key} not found`) };
  }
  const bySection = info.listeners.filter((l) => (ref.sectionName === undefined || l.name === ref.sectionName) && (ref.port === undefined || l.port === ref.port) && l.programmed);
  if (bySection.length === 0) {
    const what = [ref.sectionName !== undefined ? `sectionName "${ref.sectionName}"` : '', ref.port !== undefined ? `port ${ref.port}` : ''].filter(Boolean).join(' and ') || 'any listener';
    return { parentRef: ref, attachments: [], accepted: condition(route, 'Accepted', false, 'NoMatchingParent', `no programmed listener of ${key} matches ${what}`) };
  }
  const allowed = bySection.filter((l) => l.supportedKinds.some((k) => k.kind === route.kind) && namespaceAllowed(world, l, route.metadata.namespace));
  if (allowed.length === 0) {
    return { parentRef: ref, attachments: [], accepted: condition(route, 'Accepted', false, 'NotAllowedByListeners', `no listener of ${key} allows ${route.kind}s from namespace "${route.metadata.namespace}"`) };
  }
  const hostnames = (route.spec as RouteSpec<unknown>).hostnames ?? [];
  const attachments = allowed
    .map((l) => ({ listener: l, hosts: usesHostnames(route.kind) ? listenerHosts(hostnames, l.hostname) : ['*'] }))
    .filter((a) => a.hosts.length > 0);
  if (attachments.length === 0) {
    return { parentRef: ref, attachments: [], accepted: condition(route, 'Accepted', false, 'NoMatchingListenerHostname', 'no hostnames matched parent hostname') };
  }
  return { parentRef: ref, attachments, accepted: accepted(route) };
}

export function resolveParents(world: GatewayApiWorld, gateways: ReadonlyMap<string, GatewayInfo>, route: ConfigObject): ParentResult[] {
  return ((route.spec as RouteSpec<unknown>).parentRefs ?? []).map((ref) => {
    const kind = ref.kind ?? 'Gateway';
    if (kind === 'Service' && isCoreGroup(ref.group)) return meshParent(world, route, ref);
    if (kind === 'Gateway' && (ref.group ?? GATEWAY_GROUP) === GATEWAY_GROUP) return gatewayParent(world, gateways, route, ref);
    return { parentRef: ref, attachments: [], accepted: condition(route, 'Accepted', false, 'NoMatchingParent', `unsupported parentRef kind ${ref.group ?? GATEWAY_GROUP}/${kind}`) };
  });
}

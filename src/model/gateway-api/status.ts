/**
 * The status Istio writes on Gateway API objects, computed from the conversion (pure, no
 * timestamps): GatewayClass Accepted; Gateway Accepted/Programmed with per-listener Accepted,
 * ResolvedRefs, Programmed, supportedKinds and attachedRoutes; routes' `parents[]` with Accepted
 * and ResolvedRefs; BackendTLSPolicies' `ancestors[]`. `mergeStatus` turns it into the object's next status (the status writer's
 * job): lastTransitionTime kept while a condition's status is unchanged, other controllers'
 * route parents kept, undefined when nothing would change.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ConfigObject } from '../config.js';
import { condition } from './conditions.js';
import { gatewayAddressing } from './gateway-addresses.js';
import type { GatewayInfo } from './gateways.js';
import { ISTIO_CONTROLLER, type Condition, type GatewayClassSpec, type GatewayStatusAddress, type ParentReference, type RouteGroupKind } from './types.js';
import { keyOf, type GatewayApiWorld } from './world.js';

export interface RouteParentStatus {
  readonly parentRef: ParentReference;
  readonly controllerName: string;
  readonly conditions: readonly Condition[];
}

export interface ListenerStatus {
  readonly name: string;
  readonly supportedKinds: readonly RouteGroupKind[];
  readonly attachedRoutes: number;
  readonly conditions: readonly Condition[];
}

/** One BackendTLSPolicy `status.ancestors[]` entry. */
export interface PolicyAncestorStatus {
  readonly ancestorRef: ParentReference;
  readonly controllerName: string;
  readonly conditions: readonly Condition[];
}

export type ComputedStatus =
  | { readonly kind: 'class'; readonly conditions: readonly Condition[] }
  | { readonly kind: 'gateway'; readonly conditions: readonly Condition[]; readonly listeners: readonly ListenerStatus[]; readonly addresses: readonly GatewayStatusAddress[] }
  | { readonly kind: 'route'; readonly parents: readonly RouteParentStatus[] }
  | { readonly kind: 'policy'; readonly ancestors: readonly PolicyAncestorStatus[] };

export function statusOfClasses(world: GatewayApiWorld): [string, ComputedStatus][] {
  return [...world.classes.values()]
    .filter((c) => (c.spec as GatewayClassSpec).controllerName === ISTIO_CONTROLLER)
    .map((c) => [keyOf(c), { kind: 'class', conditions: [condition(c, 'Accepted', true, 'Accepted', 'Handled by Istio controller')] }]);
}

/**
 * Accepted (False only for addresses Istio cannot use), Programmed (no listener programmed, or
 * the gateway Service's addresses not assigned), the listeners, and the addresses to report.
 */
export function statusOfGateway(info: GatewayInfo, world: GatewayApiWorld): ComputedStatus {
  const gw = info.gateway;
  const programmedListeners = info.listeners.filter((l) => l.programmed);
  const invalid = info.listeners.length - programmedListeners.length;
  const addressing = gatewayAddressing(world, gw, programmedListeners.map((l) => l.port));
  const svc = addressing.programmed;
  let programmed: Condition;
  if (programmedListeners.length === 0) programmed = condition(gw, 'Programmed', false, 'Invalid', 'No listener could be programmed');
  else if (svc && !svc.ok) programmed = condition(gw, 'Programmed', false, svc.reason, svc.message);
  else {
    const message = svc?.message ?? 'Resource programmed';
    programmed = condition(gw, 'Programmed', true, 'Programmed', invalid > 0 ? `${message}; ${invalid} listener(s) invalid` : message);
  }
  const conditions = [
    addressing.unsupported ? condition(gw, 'Accepted', false, 'UnsupportedAddress', addressing.unsupported) : condition(gw, 'Accepted', true, 'Accepted', 'Resource accepted'),
    programmed,
  ];
  const listeners = info.listeners.map((l) => ({ name: l.name, supportedKinds: l.supportedKinds, attachedRoutes: l.attachedRoutes, conditions: l.conditions }));
  return { kind: 'gateway', conditions, listeners, addresses: addressing.addresses };
}

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Conditions with lastTransitionTime: kept from `current` when the status did not flip. */
function withTimes(next: readonly Condition[], current: unknown, now: string): Json[] {
  const old = Array.isArray(current) ? current.filter(isRecord) : [];
  return next.map((c) => {
    const before = old.find((o) => o.type === c.type);
    const time = before && before.status === c.status && typeof before.lastTransitionTime === 'string' ? before.lastTransitionTime : now;
    return { ...c, lastTransitionTime: time };
  });
}

const sameParent = (a: unknown, b: ParentReference) => isDeepStrictEqual(a, b);

/** Route `parents` / policy `ancestors`: ours replaced, other controllers' entries kept. */
function entriesStatus(list: 'parents' | 'ancestors', refKey: 'parentRef' | 'ancestorRef', computed: readonly Json[], current: Json, now: string): Json {
  const oldEntries = Array.isArray(current[list]) ? (current[list] as unknown[]).filter(isRecord) : [];
  const others = oldEntries.filter((p) => p.controllerName !== ISTIO_CONTROLLER);
  const ours = computed.map((p) => {
    const before = oldEntries.find((o) => o.controllerName === ISTIO_CONTROLLER && sameParent(o[refKey], p[refKey] as ParentReference));
    return { [refKey]: p[refKey], controllerName: p.controllerName, conditions: withTimes(p.conditions as Condition[], before?.conditions, now) };
  });
  return { ...current, [list]: [...others, ...ours] };
}

/**
 * The object's next status: `current` (its status as read) updated with `computed`; undefined
 * when that equals `current`. `now` is an RFC 3339 time for conditions that changed.
 */
export function mergeStatus(computed: ComputedStatus, current: unknown, now: string): Json | undefined {
  const cur = isRecord(current) ? current : {};
  let next: Json;
  if (computed.kind === 'route') next = entriesStatus('parents', 'parentRef', computed.parents as unknown as Json[], cur, now);
  else if (computed.kind === 'policy') next = entriesStatus('ancestors', 'ancestorRef', computed.ancestors as unknown as Json[], cur, now);
  else if (computed.kind === 'class') next = { ...cur, conditions: withTimes(computed.conditions, cur.conditions, now) };
  else {
    const oldListeners = Array.isArray(cur.listeners) ? cur.listeners.filter(isRecord) : [];
    const listeners = computed.listeners.map((l) => ({
      name: l.name, supportedKinds: l.supportedKinds, attachedRoutes: l.attachedRoutes,
      conditions: withTimes(l.conditions, oldListeners.find((o) => o.name === l.name)?.conditions, now),
    }));
    // Istio never removes an address once reported: an empty computation keeps the current ones.
    const addresses = computed.addresses.length > 0 ? { addresses: computed.addresses } : {};
    next = { ...cur, ...addresses, conditions: withTimes(computed.conditions, cur.conditions, now), listeners };
  }
  const normalized = JSON.parse(JSON.stringify(next)) as Json;
  return isDeepStrictEqual(normalized, cur) ? undefined : normalized;
}

/** For tests and debug: the computed status of one object. */
export function statusFor(statuses: ReadonlyMap<string, ComputedStatus>, obj: ConfigObject): ComputedStatus | undefined {
  return statuses.get(keyOf(obj));
}

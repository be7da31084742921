/**
 * Which Gateways configure a router proxy, as Istio selects them: a Gateway without a selector
 * applies to every gateway proxy; otherwise all selector labels must be on the proxy. Gateways
 * in any namespace count unless PILOT_SCOPE_GATEWAY_TO_NAMESPACE limits them to the proxy's
 * own; a Gateway converted from the Gateway API only its own namespace's proxies. Oldest first
 * (creation time, then namespace/name), the order Istio merges them in.
 */
import type { ConfigObject } from '../../model/config.js';
import type { Proxy } from '../../model/proxy.js';
import { byAge } from '../../model/registry/build-registry.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { GatewaySpec } from '../../model/types/gateway.js';
import { SEMANTICS_ANNOTATION } from '../../model/gateway-api/gateways.js';

type Selector = readonly (readonly [string, string])[];

/**
 * A Gateway list sorted oldest first, with the distinct selectors among them: many Gateways
 * usually share one selector (`istio: ingressgateway`), so each proxy checks each selector once
 * instead of once per Gateway, and no proxy sorts the list again.
 */
interface Candidates {
  readonly ordered: readonly ConfigObject[];
  /** For each Gateway in `ordered`, the index of its selector in `selectors`. */
  readonly selectorOf: readonly number[];
  /** Distinct selectors; undefined: no selector (selects every proxy). */
  readonly selectors: readonly (Selector | undefined)[];
}

function selectorKey(selector: Selector | undefined): string {
  return selector ? JSON.stringify(selector) : '';
}

function candidatesOf(list: readonly ConfigObject[]): Candidates {
  const ordered = [...list].sort(byAge);
  const ids = new Map<string, number>();
  const selectors: (Selector | undefined)[] = [];
  const selectorOf = ordered.map((gw) => {
    const raw = (gw.spec as unknown as GatewaySpec | undefined)?.selector;
    const selector = raw ? Object.entries(raw).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : undefined;
    const key = selectorKey(selector);
    let id = ids.get(key);
    if (id === undefined) (ids.set(key, (id = selectors.length)), selectors.push(selector));
    return id;
  });
  return { ordered, selectorOf, selectors };
}

/** Keyed by the config index's frozen list, which stays the same array while no Gateway changes. */
const candidatesByList = new WeakMap<readonly ConfigObject[], Candidates>();

function candidates(list: readonly ConfigObject[]): Candidates {
  let found = candidatesByList.get(list);
  if (!found) candidatesByList.set(list, (found = candidatesOf(list)));
  return found;
}

function selects(selector: Selector | undefined, labels: Readonly<Record<string, string>>): boolean {
  return !selector || selector.every(([k, v]) => labels[k] === v);
}

/** A Gateway converted from the Gateway API configures only proxies in its own namespace, as in Istio. */
function inScope(gw: ConfigObject, proxy: Proxy): boolean {
  return gw.metadata.annotations[SEMANTICS_ANNOTATION] !== 'gateway' || gw.metadata.namespace === proxy.namespace;
}

export function gatewaysForProxy(snapshot: Snapshot, proxy: Proxy, scopeToNamespace: boolean): ConfigObject[] {
  const { ordered, selectorOf, selectors } = candidates(scopeToNamespace ? snapshot.configs.list('Gateway', proxy.namespace) : snapshot.configs.list('Gateway'));
  const selected = selectors.map((s) => selects(s, proxy.metadata.labels));
  const out: ConfigObject[] = [];
  for (let i = 0; i < ordered.length; i++) {
    const gw = ordered[i]!;
    if (selected[selectorOf[i]!] && inScope(gw, proxy)) out.push(gw);
  }
  return out;
}

/** Select and build in one step: the authentication HTTP filters a workload's inbound/gateway managers lead with. */
import type { Snapshot } from '../../../model/snapshot.js';
import type { Json } from '../authz/matchers.js';
import type { Workload } from '../authz/select.js';
import type { JwksLookup } from './jwks-lookup.js';
import { buildJwtFilter, type JwksProblem } from './jwt-filter.js';
import { jwtRulesFor, selectRequestAuthentications } from './select.js';

export interface AuthnFilters {
  readonly filters: readonly Json[];
  readonly problems: readonly JwksProblem[];
}

export function buildAuthnFilters(snapshot: Snapshot, workload: Workload, jwks: JwksLookup, clearRouteCache: boolean): AuthnFilters {
  const built = buildJwtFilter(jwtRulesFor(selectRequestAuthentications(snapshot, workload)), jwks, clearRouteCache);
  return { filters: built.filter ? [built.filter] : [], problems: built.problems };
}

/**
 * Trust domain migration for principals, as Istio's trustdomain bundle does it: a principal
 * `<td>/ns/<ns>/sa/<sa>` whose trust domain is the mesh's, one of its aliases, or the
 * placeholder `cluster.local` is expanded to the same identity in every one of those trust
 * domains; wildcard or other-shaped principals are left as written.
 */
export interface TrustDomainBundle {
  /** The mesh trust domain first, then its aliases, without duplicates. */
  readonly trustDomains: readonly string[];
}

const LOCAL_PLACEHOLDER = 'cluster.local';

export function trustDomainBundle(trustDomain: string, aliases: readonly string[]): TrustDomainBundle {
  return { trustDomains: [...new Set([trustDomain, ...aliases].filter((t) => t !== ''))] };
}

function trustDomainOf(principal: string): string | undefined {
  const parts = principal.split('/');
  if (parts.length !== 5 || parts[1] !== 'ns' || parts[3] !== 'sa') return undefined;
  const td = parts[0]!;
  return td === '' || td.includes('*') ? undefined : td;
}

export function withTrustDomainAliases(principals: readonly string[], bundle: TrustDomainBundle): string[] {
  const out: string[] = [];
  for (const p of principals) {
    const td = trustDomainOf(p);
    if (td === undefined || !(td === LOCAL_PLACEHOLDER || bundle.trustDomains.includes(td))) {
      out.push(p);
      continue;
    }
    const rest = p.slice(td.length);
    for (const t of bundle.trustDomains) if (!out.includes(t + rest)) out.push(t + rest);
  }
  return out;
}

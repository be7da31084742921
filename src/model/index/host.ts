/** Hostname rules shared by the VirtualService and DestinationRule indexes. */

/** Istio's short-name rule: a host without '.' (and not '*') is `<host>.<namespace>.svc.<domain>`. */
export function resolveShortName(host: string, namespace: string, domain: string): string {
  if (host === '*' || host.includes('.')) return host;
  return `${host}.${namespace}.svc.${domain}`;
}

/** Does `pattern` ('*', '*.suffix' or exact) cover `host` (which may itself be a wildcard)? */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === host || pattern === '*') return true;
  if (!pattern.startsWith('*')) return false;
  return host.endsWith(pattern.slice(1));
}

/** Exact key if present, else the longest (most specific) wildcard key covering `host`. */
export function mostSpecificHost(host: string, keys: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const key of keys) {
    if (key === host) return key;
    if (key.startsWith('*') && hostMatches(key, host) && (best === undefined || key.length > best.length)) best = key;
  }
  return best;
}

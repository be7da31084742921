/**
 * Which JWKS documents the current config needs istiod to fetch: every RequestAuthentication
 * jwtRule without an inline `jwks` contributes its `jwksUri`, or — with neither — its issuer
 * (fetched through OpenID discovery). Keys are what the translation asks the lookup for: the
 * jwksUri, or the issuer for a discovery rule.
 */
import { parseDurationMillis } from '../lib/duration.js';
import type { Snapshot } from '../model/snapshot.js';
import type { JwksSource } from '../security/authn/jwks-remote.js';

export interface JwksTarget {
  readonly source: JwksSource;
  /** The longest `timeout` of the rules naming it, when any gives one. */
  readonly timeoutMs?: number;
}

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

function ruleTimeout(value: unknown): number | undefined {
  const ms = typeof value === 'string' ? parseDurationMillis(value) : undefined;
  return ms !== undefined && ms > 0 ? ms : undefined;
}

function targetOf(rule: Record<string, unknown>): { key: string; source: JwksSource } | undefined {
  if (str(rule.jwks) !== '') return undefined;
  const jwksUri = str(rule.jwksUri);
  if (jwksUri !== '') return { key: jwksUri, source: { jwksUri } };
  const issuer = str(rule.issuer);
  return issuer !== '' ? { key: issuer, source: { issuer } } : undefined;
}

/** The fetch targets of a snapshot, by lookup key. Tolerates any shape (it reads untrusted config). */
export function jwksTargets(snapshot: Snapshot): Map<string, JwksTarget> {
  const out = new Map<string, JwksTarget>();
  for (const object of snapshot.configs.list('RequestAuthentication')) {
    const rules = (object.spec as { jwtRules?: unknown }).jwtRules;
    if (!Array.isArray(rules)) continue;
    for (const rule of rules) {
      if (typeof rule !== 'object' || rule === null) continue;
      const target = targetOf(rule as Record<string, unknown>);
      if (!target) continue;
      const timeoutMs = ruleTimeout((rule as { timeout?: unknown }).timeout);
      const previous = out.get(target.key)?.timeoutMs;
      const longest = previous === undefined ? timeoutMs : timeoutMs === undefined ? previous : Math.max(previous, timeoutMs);
      out.set(target.key, { source: target.source, ...(longest !== undefined ? { timeoutMs: longest } : {}) });
    }
  }
  return out;
}

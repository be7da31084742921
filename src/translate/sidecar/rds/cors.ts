/**
 * VirtualService corsPolicy → the CORS filter's per-route CorsPolicy, as Istio builds it:
 * origins as string matchers (allowOrigins, else the deprecated exact allowOrigin), lists
 * joined with ',', max_age in whole seconds, filter enabled for 100%, and preflights that
 * match no origin forwarded unless unmatchedPreflights is IGNORE. An origin regex RE2 rejects
 * is dropped with a diagnostic.
 */
import type { ConfigObject } from '../../../model/config.js';
import type { CorsPolicy } from '../../../model/types/virtual-service.js';
import type { Diagnostics } from '../../common/diagnostics.js';
import { protoDuration } from '../../common/proto-values.js';
import { HttpFilterType } from '../http-filters.js';
import { badRegex, stringMatcher } from './string-match.js';
import type { Json } from './types.js';

function origins(policy: CorsPolicy, source: ConfigObject, path: string, diags: Diagnostics): Json[] | undefined {
  if (policy.allowOrigins !== undefined) {
    return policy.allowOrigins.flatMap((m, i) => {
      const why = badRegex(m);
      if (!why) return [stringMatcher(m)];
      diags.warn(source, `${path}.allowOrigins[${i}].regex`, `invalid regex: ${why}; origin left out`);
      return [];
    });
  }
  return policy.allowOrigin?.map((exact) => ({ exact }));
}

export function buildCorsPolicy(policy: CorsPolicy | undefined, source: ConfigObject, path: string, diags: Diagnostics): Json | undefined {
  if (!policy) return undefined;
  const allowed = origins(policy, source, path, diags);
  const maxAge = protoDuration(policy.maxAge);
  const joined = (field: 'allowMethods' | 'allowHeaders' | 'exposeHeaders') => (policy[field]?.length ? policy[field]!.join(',') : undefined);
  const out: Json = {
    '@type': HttpFilterType.CorsPolicy,
    ...(allowed && allowed.length > 0 ? { allow_origin_string_match: allowed } : {}),
    filter_enabled: { default_value: { numerator: 100, denominator: 'HUNDRED' } },
    forward_not_matching_preflights: { value: policy.unmatchedPreflights !== 'IGNORE' },
  };
  const methods = joined('allowMethods');
  const headers = joined('allowHeaders');
  const expose = joined('exposeHeaders');
  if (methods) out.allow_methods = methods;
  if (headers) out.allow_headers = headers;
  if (expose) out.expose_headers = expose;
  if (maxAge) out.max_age = String(maxAge.seconds);
  if (policy.allowCredentials !== undefined) out.allow_credentials = { value: policy.allowCredentials };
  return out;
}

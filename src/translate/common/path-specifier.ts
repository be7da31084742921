/** VirtualService `uri` match → the RouteMatch path specifier (every Envoy and gRPC route needs one). */
import type { StringMatch } from '../../model/types/common.js';

export function pathSpecifier(uri: StringMatch | undefined): Record<string, unknown> {
  if (uri === undefined) return { prefix: '/' };
  if ('exact' in uri) return { path: uri.exact };
  if ('prefix' in uri) return { prefix: uri.prefix };
  if ('regex' in uri) return { safe_regex: { regex: uri.regex } };
  return { prefix: '/' };
}

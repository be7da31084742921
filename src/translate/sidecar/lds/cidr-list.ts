/** Order-free comparison of CIDR lists (VirtualService destinationSubnets vs a service's addresses). */
import { cidrKey, parseCidr } from './chain-match.js';

export function cidrKeyList(texts: readonly string[]): string {
  return [...new Set(texts.map((t) => { const c = parseCidr(t); return c ? cidrKey(c) : t; }))].sort().join(',');
}

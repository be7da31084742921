/** IP addresses and CIDR blocks, with Go netip's strictness (no leading zeros, no zones in prefixes). */
import { isIP } from 'node:net';
import { isIPAddress } from './hosts.js';

/** `a.b.c.d/nn` or `x::y/nnn`. Returns why it is invalid. */
export function checkCIDR(v: string): string | undefined {
  const slash = v.indexOf('/');
  const addr = v.slice(0, slash);
  const bits = v.slice(slash + 1);
  const family = isIP(addr);
  const max = family === 4 ? 32 : 128;
  if (slash < 0 || family === 0 || !/^(?:0|[1-9]\d{0,2})$/.test(bits) || Number(bits) > max) {
    return `${v} is not a valid CIDR block`;
  }
  return undefined;
}

/** An IP (`a.b.c.d`) or, when it contains a slash, a CIDR block. Returns why it is invalid. */
export function checkIPOrCIDR(v: string): string | undefined {
  if ((v.match(/\//g) ?? []).length === 1) return checkCIDR(v);
  return isIPAddress(v) ? undefined : `${v} is not a valid IP`;
}

export function checkIP(v: string): string | undefined {
  return isIPAddress(v) ? undefined : `${v} is not a valid IP`;
}

/** Defensive readers for core-kind fields, which get no schema validation before the registry. */

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asRecord(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function asStringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(asRecord(v))) if (typeof val === 'string') out[k] = val;
  return out;
}

export function isPortNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIPv4(s: string): boolean {
  return IPV4.test(s);
}

/** Loose IPv6 literal check (hex groups and '::'; an embedded IPv4 tail is allowed). */
export function isIPv6(s: string): boolean {
  if (!s.includes(':') || s.length > 45) return false;
  if ((s.match(/::/g) ?? []).length > 1) return false;
  const parts = s.split(':');
  const last = parts[parts.length - 1] ?? '';
  const groups = isIPv4(last) ? parts.slice(0, -1) : parts;
  const maxGroups = isIPv4(last) ? 6 : 8;
  if (!s.includes('::') && groups.length !== maxGroups) return false;
  if (groups.length > maxGroups + 1) return false;
  return groups.every((g) => g === '' || /^[0-9a-fA-F]{1,4}$/.test(g));
}

export function isIP(s: string): boolean {
  return isIPv4(s) || isIPv6(s);
}

/** Every selector label present with the same value; an empty selector matches nothing here. */
export function selectorMatches(selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return false;
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

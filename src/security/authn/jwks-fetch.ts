/**
 * Small HTTP(S) GETs of documents named by config (jwksUri, OpenID discovery), guarded against
 * being turned into a request forgery tool: a timeout, a size limit, no redirects, and an
 * address check — the host is resolved once, every address is checked against a block list,
 * and the connection goes to a checked address (the request's `lookup` hands back exactly the
 * addresses that were checked, so a second DNS answer cannot swap in a blocked one).
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

export interface SmallFetchOptions {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** Extra PEM roots for https (the system roots otherwise). */
  readonly caPem?: string;
  /** Refuse the fetch when any address of the host falls in this list. */
  readonly blocked?: AddressBlockList;
  /** DNS, replaceable by tests; all addresses of a host. */
  readonly resolveHost?: (host: string) => Promise<readonly ResolvedAddress[]>;
  /** Accept any 2xx (Istio's resolver) instead of only 200. */
  readonly any2xx?: boolean;
}

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** CIDRs (IPv4 and IPv6) a fetch may not connect to. */
export interface AddressBlockList {
  /** The CIDR of the list that holds `address`, or undefined. */
  match(address: string): string | undefined;
}

/** `a.b.c.d/n` or `v6::/n`; undefined when malformed. */
export function parseCidr(text: string): { address: string; prefix: number; family: 4 | 6 } | undefined {
  const [address, prefixText, extra] = text.trim().split('/');
  const family = net.isIP(address ?? '');
  if (extra !== undefined || !address || family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return { address, prefix, family: family as 4 | 6 };
}

/** `::ffff:a.b.c.d` is the IPv4 address a.b.c.d on the wire: check it as such. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

/** A block list from CIDR strings; throws naming the first malformed one. */
export function createAddressBlockList(cidrs: readonly string[]): AddressBlockList {
  const rules = cidrs.map((text) => {
    const cidr = parseCidr(text);
    if (!cidr) throw new Error(`"${text}" is not a CIDR such as 10.0.0.0/8 or fd00::/8`);
    const list = new net.BlockList();
    list.addSubnet(cidr.address, cidr.prefix, cidr.family === 4 ? 'ipv4' : 'ipv6');
    return { text: text.trim(), list, type: cidr.family === 4 ? 'ipv4' : 'ipv6' };
  });
  return {
    match(address) {
      const plain = unmapped(address);
      const family = net.isIP(plain);
      if (family === 0) return undefined;
      const type = family === 4 ? 'ipv4' : 'ipv6';
      return rules.find((r) => r.type === type && r.list.check(plain, type))?.text;
    },
  };
}

async function systemResolve(host: string): Promise<readonly ResolvedAddress[]> {
  const found = await dns.promises.lookup(host, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

/** The host's addresses (an IP literal is its own), refused when any of them is blocked. */
export async function checkedAddresses(url: URL, options: Pick<SmallFetchOptions, 'blocked' | 'resolveHost'>): Promise<readonly ResolvedAddress[]> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const literal = net.isIP(host);
  const addresses = literal !== 0 ? [{ address: host, family: literal as 4 | 6 }] : await (options.resolveHost ?? systemResolve)(host);
  if (addresses.length === 0) throw new Error(`${host} has no addresses`);
  for (const { address } of addresses) {
    const cidr = options.blocked?.match(address);
    if (cidr) throw new Error(`${host} resolves to ${address}, in blocked range ${cidr}`);
  }
  return addresses;
}

/** A net `lookup` that answers only with addresses already checked (no second resolution). */
function pinnedLookup(addresses: readonly ResolvedAddress[]): net.LookupFunction {
  return ((_host: string, opts: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    const wanted = opts.family === 4 || opts.family === 6 ? addresses.filter((a) => a.family === opts.family) : addresses;
    if (wanted.length === 0) return callback(Object.assign(new Error('no checked address of the requested family'), { code: 'ENOTFOUND' }));
    if (opts.all) return callback(null, wanted.map((a) => ({ address: a.address, family: a.family })));
    callback(null, wanted[0]!.address, wanted[0]!.family);
  }) as unknown as net.LookupFunction;
}

/** `waitMs`: what is left of options.timeoutMs after name resolution (the message names the whole timeout). */
function getBody(url: URL, options: SmallFetchOptions, waitMs: number, lookup: net.LookupFunction | undefined): Promise<string> {
  const uri = url.href;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, body?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        reject(error);
        req.destroy();
      } else resolve(body!);
    };
    const req = client.get(url, { ca: options.caPem, headers: { accept: 'application/json' }, ...(lookup ? { lookup } : {}) }, (res) => {
      const status = res.statusCode ?? 0;
      const ok = options.any2xx ? status >= 200 && status < 300 : status === 200;
      if (!ok) {
        const why = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
        return finish(new Error(`GET ${uri}: HTTP ${status}${why}`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) finish(new Error(`GET ${uri}: response exceeds ${options.maxBytes} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => finish(undefined, Buffer.concat(chunks).toString('utf8')));
      res.on('error', (error) => finish(error));
    });
    const timer = setTimeout(() => finish(new Error(`GET ${uri}: timed out after ${options.timeoutMs} ms`)), waitMs);
    req.on('error', (error) => finish(new Error(`GET ${uri}: ${error.message}`)));
  });
}

/**
 * GETs a small text document; rejects on a bad URL, a blocked address, timeout, non-2xx/200,
 * a redirect, or a body over maxBytes. The timeout covers name resolution too.
 */
export async function fetchSmallText(uri: string, options: SmallFetchOptions): Promise<string> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new Error(`"${uri}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`GET ${uri}: only http and https URLs are fetched`);
  const guarded = options.blocked !== undefined || options.resolveHost !== undefined;
  const started = Date.now();
  const addresses = guarded ? await withTimeout(checkedAddresses(url, options), options.timeoutMs, `GET ${uri}: name resolution timed out after ${options.timeoutMs} ms`) : undefined;
  const left = Math.max(1, options.timeoutMs - (Date.now() - started));
  return getBody(url, options, left, addresses ? pinnedLookup(addresses) : undefined);
}

function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** fetchSmallText, then JSON.parse; a body that is not JSON is an error naming the URI. */
export async function fetchSmallJsonDocument(uri: string, options: SmallFetchOptions): Promise<{ text: string; value: unknown }> {
  const text = await fetchSmallText(uri, options);
  try {
    return { text, value: JSON.parse(text) as unknown };
  } catch (error) {
    throw new Error(`GET ${uri}: not JSON (${(error as Error).message})`);
  }
}

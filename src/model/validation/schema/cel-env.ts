/**
 * The CEL environment CRD validation rules run in: standard CEL (cel-js) plus the parts of
 * the Kubernetes CEL libraries that Istio's rules use (URLs, string extensions, lists, IPs),
 * with every regular expression evaluated by RE2 (re2js) as the API server does, never by a
 * backtracking engine.
 */
import { Environment } from '@marcbachmann/cel-js';
import { RE2JS } from 're2js';
import { isIP } from 'node:net';
import { parseRequestUri, type ParsedUrl } from './go-url.js';

class CelUrl {
  constructor(readonly parsed: ParsedUrl) {}
}

const regexCache = new Map<string, RE2JS>();
const REGEX_CACHE_LIMIT = 500;

/** Compiles (and caches) an RE2 pattern; throws on invalid syntax like the API server would. */
export function re2(pattern: string): RE2JS {
  let re = regexCache.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern);
    if (regexCache.size >= REGEX_CACHE_LIMIT) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re;
}

function fail(message: string): never {
  throw new Error(message);
}

function parseUrlOrFail(s: string): CelUrl {
  const parsed = parseRequestUri(s);
  return parsed ? new CelUrl(parsed) : fail(`URL parse error during conversion from string: ${s}`);
}

function isCidr(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const ip = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  const family = isIP(ip);
  if (family === 0 || !/^[0-9]{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

function compareCel(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  const x = Number(a);
  const y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

type Handler = (...args: never[]) => unknown;

/** Adds a function unless cel-js already provides that overload (its built-in wins). */
function define(env: Environment, signature: string, handler: Handler): void {
  try {
    env.registerFunction(signature, handler as (...args: unknown[]) => unknown);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.includes('overlaps with existing overload')) throw err;
  }
}

function registerStringExtensions(env: Environment): void {
  define(env, 'string.re2Matches(string): bool', (s: string, p: string) => re2(p).test(s));
  define(env, 're2Matches(string, string): bool', (s: string, p: string) => re2(p).test(s));
  define(env, 'string.find(string): string', (s: string, p: string) => {
    const m = re2(p).matcher(s);
    return m.find() ? (m.group() ?? '') : '';
  });
  define(env, 'string.findAll(string): list<string>', (s: string, p: string) => {
    const out: string[] = [];
    const m = re2(p).matcher(s);
    while (m.find()) out.push(m.group() ?? '');
    return out;
  });
  define(env, 'string.replace(string, string): string', (s: string, a: string, b: string) => s.split(a).join(b));
  define(env, 'string.charAt(int): string', (s: string, i: bigint) => s.charAt(Number(i)));
  define(env, 'string.upperAscii(): string', (s: string) => s.replace(/[a-z]/g, (c) => c.toUpperCase()));
}

function registerUrlFunctions(env: Environment): void {
  env.registerType('net.URL', CelUrl);
  define(env, 'isURL(string): bool', (s: string) => parseRequestUri(s) !== undefined);
  define(env, 'url(string): net.URL', parseUrlOrFail);
  define(env, 'net.URL.getScheme(): string', (u: CelUrl) => u.parsed.scheme);
  define(env, 'net.URL.getHost(): string', (u: CelUrl) => u.parsed.host);
  define(env, 'net.URL.getHostname(): string', (u: CelUrl) => u.parsed.hostname);
  define(env, 'net.URL.getPort(): string', (u: CelUrl) => u.parsed.port);
  define(env, 'net.URL.getEscapedPath(): string', (u: CelUrl) => u.parsed.escapedPath);
}

function registerListAndNetFunctions(env: Environment): void {
  define(env, 'list.isSorted(): bool', (l: unknown[]) => l.every((v, i) => i === 0 || compareCel(l[i - 1], v) <= 0));
  define(env, 'isIP(string): bool', (s: string) => isIP(s) !== 0);
  define(env, 'isCIDR(string): bool', (s: string) => isCidr(s));
}

export function createCelEnvironment(): Environment {
  const env = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false, enableOptionalTypes: true });
  registerStringExtensions(env);
  registerUrlFunctions(env);
  registerListAndNetFunctions(env);
  return env;
}

/**
 * Routes `x.matches(p)` and `matches(x, p)` to the RE2-backed `re2Matches`: cel-js' built-in
 * uses JS RegExp.
 * Only code outside string literals is rewritten.
 */
export function useRe2ForMatches(rule: string): string {
  let out = '';
  let i = 0;
  while (i < rule.length) {
    const c = rule[i] as string;
    if (c === '"' || c === "'") {
      const end = endOfString(rule, i);
      out += rule.slice(i, end);
      i = end;
    } else if (rule.startsWith('matches(', i) && !/[A-Za-z0-9_]/.test(rule[i - 1] ?? '')) {
      out += 're2Matches(';
      i += 'matches('.length;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function endOfString(s: string, start: number): number {
  const quote = s[start] as string;
  const triple = s.startsWith(quote.repeat(3), start);
  const closing = triple ? quote.repeat(3) : quote;
  let i = start + closing.length;
  while (i < s.length) {
    if (s[i] === '\\') i += 2;
    else if (s.startsWith(closing, i)) return i + closing.length;
    else i++;
  }
  return s.length;
}

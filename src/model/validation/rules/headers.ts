/** HTTP header names and values in matches and header manipulation. */
const HEADER_NAME = /^[-_A-Za-z0-9]+$/;
// Control characters other than tab are not allowed in header values (Envoy's rule).
const BAD_VALUE_CHARS = /[\u0000-\u0008\u000A-\u001F\u007F]/;

export function checkHeaderName(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  return HEADER_NAME.test(name) ? undefined : `header name ${name} is not a valid header name`;
}

/** CORS allow/expose headers also accept `*`. */
export function checkCorsHeaderName(name: string): string | undefined {
  return name === '*' ? undefined : checkHeaderName(name);
}

/** `@request.auth.claims.<name>` or `@request.auth.claims[<name>]...`: route on a JWT claim (gateways only). */
export function isJwtClaimRoute(name: string): boolean {
  const prefix = '@request.auth.claims';
  if (!name.startsWith(prefix)) return false;
  const rest = name.slice(prefix.length);
  if (rest.startsWith('.')) return rest.length > 1;
  return /^(\[[^\][]+\])+$/.test(rest);
}

export function checkMatchHeaderName(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  return isJwtClaimRoute(name) ? undefined : checkHeaderName(name);
}

export function isAuthorityHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === ':authority' || lower === 'host';
}

function isInternalHeader(name: string): boolean {
  return name.startsWith(':') || name.toLowerCase() === 'host';
}

/** Names in request add/set: pseudo-headers are off limits except the authority. */
export function checkRequestSetHeaderName(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if (isInternalHeader(name) && !isAuthorityHeader(name)) return `invalid header "${name}": header cannot have ":" prefix`;
  return undefined;
}

/** Names in request remove and in all response operations. */
export function checkHeaderOperationName(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if (name.toLowerCase() === 'host') return `invalid header "${name}": cannot set Host header`;
  if (isInternalHeader(name)) return `invalid header "${name}": header cannot have ":" prefix`;
  return undefined;
}

/** Envoy's custom header values: `%%` is a literal percent, `%VAR%` / `%VAR(arg)%` a substitution. */
export function checkHeaderValue(value: string): string | undefined {
  if (BAD_VALUE_CHARS.test(value)) return `header value configuration ${value} is invalid`;
  let i = 0;
  while (i < value.length) {
    if (value[i] !== '%') {
      i++;
      continue;
    }
    if (value[i + 1] === '%') {
      i += 2;
      continue;
    }
    const end = findVariableEnd(value, i + 1);
    if (end < 0) return `header value configuration: invalid header value "${value}": unterminated variable expression at position ${i}`;
    i = end + 1;
  }
  return undefined;
}

// A variable runs to the next `%` outside parentheses (arguments may contain quoted `%`).
function findVariableEnd(value: string, from: number): number {
  let depth = 0;
  for (let j = from; j < value.length; j++) {
    const c = value[j];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === '%' && depth === 0) return j > from ? j : -1;
  }
  return -1;
}

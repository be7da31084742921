/**
 * argv + env → a command and its typed options. Pure: main.ts passes argv and the environment in.
 * Unknown flags and bad values are UserErrors with a message that names the flag.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;
import { DEFAULT_OPTIONS, parseListenAddress, type LogLevel, type Options } from '../config/options.js';
import { parseDurationMillis } from '../lib/duration.js';
import { ErrorCodes, UserError } from '../lib/errors.js';
import { isDns1123Subdomain } from '../lib/k8s-names.js';

export type Command =
  | { name: 'discovery'; options: Options }
  | { name: 'validate'; files: string[]; output: 'text' | 'json'; domain: string }
  | { name: 'version' }
  | { name: 'help'; topic?: string };

const DISCOVERY_FLAGS = {
  configDir: { type: 'string' },
  meshConfig: { type: 'string' },
  kubeconfig: { type: 'string' },
  grpcAddr: { type: 'string' },
  secureGRPCAddr: { type: 'string' },
  httpAddr: { type: 'string' },
  monitoringAddr: { type: 'string' },
  httpsAddr: { type: 'string' },
  domain: { type: 'string' },
  clusterID: { type: 'string' },
  log_output_level: { type: 'string' },
  keepaliveMaxServerConnectionAge: { type: 'string' },
  keepaliveInterval: { type: 'string' },
  keepaliveTimeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const VALIDATE_FLAGS = {
  filename: { type: 'string', short: 'f', multiple: true },
  output: { type: 'string', short: 'o' },
  domain: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'none'];

function usage(message: string): never {
  throw new UserError(ErrorCodes.CLI_USAGE, message);
}

function flagError(flag: string, value: string, why: string): never {
  throw new UserError(ErrorCodes.CLI_FLAG, `invalid --${flag} "${value}": ${why}`);
}

function parseFlags<T extends ParseArgsOptionsConfig>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (err) {
    return usage((err as Error).message.replace(/\. To specify.*$/s, ''));
  }
}

/** `info` or `default:info,ads:debug` (Istio's --log_output_level). */
export function parseLogLevels(value: string): Record<string, LogLevel> {
  const out: Record<string, LogLevel> = { default: 'info' };
  for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [scope, level] = part.includes(':') ? part.split(':', 2) : ['default', part];
    const normalized = level === 'warning' ? 'warn' : level;
    if (!scope || !LEVELS.includes(normalized as LogLevel)) flagError('log_output_level', value, `"${part}" must be <scope>:<level> with level one of ${LEVELS.join(', ')}`);
    out[scope] = normalized as LogLevel;
  }
  return out;
}

function envDuration(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const ms = parseDurationMillis(raw);
  if (ms === undefined || ms < 0) throw new UserError(ErrorCodes.CLI_FLAG, `invalid ${name}="${raw}": want a duration such as 100ms or 10s`);
  return ms;
}

function envPositiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number, allowZero = false): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < (allowZero ? 0 : 1)) throw new UserError(ErrorCodes.CLI_FLAG, `invalid ${name}="${raw}": want a whole number ${allowZero ? '>= 0' : '>= 1'}`);
  return n;
}

/** Go's strconv.ParseBool spellings, as Istio's env flags accept them. */
function envBool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(raw)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(raw)) return false;
  throw new UserError(ErrorCodes.CLI_FLAG, `invalid ${name}="${raw}": want true or false`);
}

function flagDuration(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = parseDurationMillis(value);
  if (ms === undefined || ms <= 0) flagError(flag, value, 'want a positive duration such as 30s or 30m');
  return ms;
}

function address(flag: string, value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  if (!parseListenAddress(value)) flagError(flag, value, 'want host:port or :port with port 0-65535');
  return value;
}

function parseDiscovery(args: string[], env: NodeJS.ProcessEnv): Command {
  const { values, positionals } = parseFlags(args, DISCOVERY_FLAGS);
  if (values.help) return { name: 'help', topic: 'discovery' };
  if (positionals.length > 0) usage(`discovery takes no arguments, got "${positionals.join(' ')}"`);
  const d = DEFAULT_OPTIONS;
  const domain = values.domain ?? d.domain;
  if (!isDns1123Subdomain(domain)) flagError('domain', domain, 'must be a DNS domain such as cluster.local');
  const options: Options = {
    ...(values.configDir !== undefined ? { configDir: values.configDir } : {}),
    ...(values.meshConfig !== undefined ? { meshConfigFile: values.meshConfig } : {}),
    ...(values.kubeconfig !== undefined ? { kubeconfig: values.kubeconfig } : {}),
    grpcAddr: address('grpcAddr', values.grpcAddr, d.grpcAddr),
    secureGRPCAddr: address('secureGRPCAddr', values.secureGRPCAddr, d.secureGRPCAddr),
    httpAddr: address('httpAddr', values.httpAddr, d.httpAddr),
    monitoringAddr: address('monitoringAddr', values.monitoringAddr, d.monitoringAddr),
    httpsAddr: address('httpsAddr', values.httpsAddr, d.httpsAddr),
    domain,
    clusterID: values.clusterID ?? d.clusterID,
    logLevels: values.log_output_level !== undefined ? parseLogLevels(values.log_output_level) : d.logLevels,
    debounceAfterMs: envDuration(env, 'PILOT_DEBOUNCE_AFTER', d.debounceAfterMs),
    debounceMaxMs: envDuration(env, 'PILOT_DEBOUNCE_MAX', d.debounceMaxMs),
    keepaliveMaxServerConnectionAgeMs: flagDuration('keepaliveMaxServerConnectionAge', values.keepaliveMaxServerConnectionAge, d.keepaliveMaxServerConnectionAgeMs),
    keepaliveIntervalMs: flagDuration('keepaliveInterval', values.keepaliveInterval, d.keepaliveIntervalMs),
    keepaliveTimeoutMs: flagDuration('keepaliveTimeout', values.keepaliveTimeout, d.keepaliveTimeoutMs),
    pushThrottle: envPositiveInt(env, 'PILOT_PUSH_THROTTLE', d.pushThrottle),
    xdsSendTimeoutMs: envDuration(env, 'PILOT_XDS_SEND_TIMEOUT', d.xdsSendTimeoutMs),
    maxRequestsPerSecond: envPositiveInt(env, 'PILOT_MAX_REQUESTS_PER_SECOND', d.maxRequestsPerSecond, true),
    grpcMaxRecvMsgSize: envPositiveInt(env, 'ISTIO_GPRC_MAXRECVMSGSIZE', d.grpcMaxRecvMsgSize),
    enableTlsOnSidecarIngress: envBool(env, 'ENABLE_TLS_ON_SIDECAR_INGRESS', d.enableTlsOnSidecarIngress),
  };
  return { name: 'discovery', options: Object.freeze(options) };
}

function parseValidate(args: string[]): Command {
  const { values, positionals } = parseFlags(args, VALIDATE_FLAGS);
  if (values.help) return { name: 'help', topic: 'validate' };
  const files = [...(values.filename ?? []), ...positionals];
  if (files.length === 0) usage('validate needs at least one -f FILE|DIR');
  const output = values.output ?? 'text';
  if (output !== 'text' && output !== 'json') flagError('output', output, 'want text or json');
  return { name: 'validate', files, output, domain: values.domain ?? DEFAULT_OPTIONS.domain };
}

export function parseCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Command {
  const [name, ...rest] = argv;
  switch (name) {
    case 'discovery':
      return parseDiscovery(rest, env);
    case 'validate':
      return parseValidate(rest);
    case 'version':
      return { name: 'version' };
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return { name: 'help', ...(rest[0] ? { topic: rest[0] } : {}) };
    default:
      return usage(`unknown command "${name}"; commands: discovery, validate, version, help`);
  }
}

/**
 * argv + env → a command and its typed options. Pure: main.ts passes argv and the environment in.
 * Unknown flags and bad values are UserErrors with a message that names the flag.
 */
import { isIP } from 'node:net';
import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;
import { DEFAULT_OPTIONS, parseListenAddress, type LogLevel, type Options } from '../config/options.js';
import { parseDurationMillis } from '../lib/duration.js';
import { ErrorCodes, UserError } from '../lib/errors.js';
import { isDns1123Subdomain } from '../lib/k8s-names.js';
import { parseAgentArgs } from '../agent/agent-args.js';
import type { AgentOptions } from '../agent/options.js';
import type { KubeInjectOptions } from './kube-inject-command.js';
import { leaderAndStatusFromEnv } from '../sources/kubernetes/leader-options.js';

export type Command =
  | { name: 'discovery'; options: Options }
  | { name: 'agent'; options: AgentOptions; logLevels: Record<string, LogLevel> }
  | { name: 'validate'; files: string[]; output: 'text' | 'json'; domain: string }
  | { name: 'kube-inject'; options: KubeInjectOptions }
  | { name: 'version' }
  | { name: 'help'; topic?: string };

const DISCOVERY_FLAGS = {
  configDir: { type: 'string' },
  meshConfig: { type: 'string' },
  meshNetworks: { type: 'string' },
  kubeconfig: { type: 'string' },
  grpcAddr: { type: 'string' },
  secureGRPCAddr: { type: 'string' },
  httpAddr: { type: 'string' },
  monitoringAddr: { type: 'string' },
  httpsAddr: { type: 'string' },
  injectionDir: { type: 'string' },
  domain: { type: 'string' },
  clusterID: { type: 'string' },
  log_output_level: { type: 'string' },
  keepaliveMaxServerConnectionAge: { type: 'string' },
  keepaliveInterval: { type: 'string' },
  keepaliveTimeout: { type: 'string' },
  caDir: { type: 'string' },
  caStateDir: { type: 'string' },
  istiodHost: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

const VALIDATE_FLAGS = {
  filename: { type: 'string', short: 'f', multiple: true },
  output: { type: 'string', short: 'o' },
  domain: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const KUBE_INJECT_FLAGS = {
  filename: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o' },
  injectConfigFile: { type: 'string' },
  meshConfigFile: { type: 'string' },
  valuesFile: { type: 'string' },
  revision: { type: 'string' },
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

/** Comma-separated DNS names (ISTIOD_CUSTOM_HOST, --istiodHost a,b). */
function hostList(what: string, values: readonly string[]): string[] {
  const hosts = values.flatMap((v) => v.split(',')).map((h) => h.trim()).filter(Boolean);
  for (const host of hosts) if (!isDns1123Subdomain(host)) throw new UserError(ErrorCodes.CLI_FLAG, `invalid ${what} "${host}": must be a DNS name such as istiod.example.com`);
  return hosts;
}

function envSeconds(env: NodeJS.ProcessEnv, name: string, fallbackSeconds: number): number {
  const ms = envDuration(env, name, fallbackSeconds * 1000);
  if (ms < 1000) throw new UserError(ErrorCodes.CLI_FLAG, `invalid ${name}="${env[name]}": want a duration of at least 1s, such as 24h`);
  return Math.floor(ms / 1000);
}

/** The CA's flags and env (istiod's names); JWT_RULE is checked by bootstrap, which knows the rule's shape. */
function caOptions(values: { caDir?: string; caStateDir?: string; istiodHost?: string[] }, env: NodeJS.ProcessEnv) {
  const d = DEFAULT_OPTIONS;
  const percentile = envPositiveInt(env, 'CITADEL_SELF_SIGNED_ROOT_CERT_GRACE_PERIOD_PERCENTILE', d.selfSignedRootCertGracePeriodPercentile);
  if (percentile >= 100) throw new UserError(ErrorCodes.CLI_FLAG, `invalid CITADEL_SELF_SIGNED_ROOT_CERT_GRACE_PERIOD_PERCENTILE="${percentile}": want 1-99`);
  const podNamespace = env.POD_NAMESPACE || d.podNamespace;
  if (!isDns1123Subdomain(podNamespace) || podNamespace.includes('.')) throw new UserError(ErrorCodes.CLI_FLAG, `invalid POD_NAMESPACE="${podNamespace}": must be a namespace name`);
  const defaultTtl = envSeconds(env, 'DEFAULT_WORKLOAD_CERT_TTL', d.defaultWorkloadCertTtlSeconds);
  const maxTtl = envSeconds(env, 'MAX_WORKLOAD_CERT_TTL', d.maxWorkloadCertTtlSeconds);
  if (defaultTtl > maxTtl) throw new UserError(ErrorCodes.CLI_FLAG, `invalid DEFAULT_WORKLOAD_CERT_TTL: ${defaultTtl}s is above MAX_WORKLOAD_CERT_TTL (${maxTtl}s)`);
  return {
    caDir: values.caDir || d.caDir,
    caStateDir: values.caStateDir || d.caStateDir,
    istiodHosts: Object.freeze([...new Set([...hostList('--istiodHost', values.istiodHost ?? []), ...hostList('ISTIOD_CUSTOM_HOST', env.ISTIOD_CUSTOM_HOST ? [env.ISTIOD_CUSTOM_HOST] : [])])]),
    podNamespace,
    ...(env.JWT_RULE ? { jwtRule: env.JWT_RULE } : {}),
    selfSignedCaCertTtlSeconds: envSeconds(env, 'CITADEL_SELF_SIGNED_CA_CERT_TTL', d.selfSignedCaCertTtlSeconds),
    selfSignedRootCertCheckIntervalMs: envDuration(env, 'CITADEL_SELF_SIGNED_ROOT_CERT_CHECK_INTERVAL', d.selfSignedRootCertCheckIntervalMs) || d.selfSignedRootCertCheckIntervalMs,
    selfSignedRootCertGracePeriodPercentile: percentile,
    defaultWorkloadCertTtlSeconds: defaultTtl,
    maxWorkloadCertTtlSeconds: maxTtl,
  };
}

/** BLOCKED_CIDRS_IN_JWKS_URIS: comma-separated CIDRs (a bare address is a /32 or /128). */
function cidrList(env: NodeJS.ProcessEnv, name: string): readonly string[] {
  const cidrs = (env[name] ?? '').split(',').map((c) => c.trim()).filter(Boolean);
  for (const cidr of cidrs) if (!isCidr(cidr)) throw new UserError(ErrorCodes.CLI_FLAG, `invalid ${name}: "${cidr}" is not a CIDR such as 10.0.0.0/8 or fd00::/8`);
  return Object.freeze(cidrs);
}

function isCidr(text: string): boolean {
  const [address, prefix, extra] = text.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || extra !== undefined) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/** istiod's JWKS resolver (RequestAuthentication jwksUri). */
function jwksOptions(env: NodeJS.ProcessEnv) {
  const refresh = envDuration(env, 'PILOT_JWT_PUB_KEY_REFRESH_INTERVAL', DEFAULT_OPTIONS.jwtPubKeyRefreshIntervalMs);
  if (refresh < 1000) throw new UserError(ErrorCodes.CLI_FLAG, `invalid PILOT_JWT_PUB_KEY_REFRESH_INTERVAL="${env.PILOT_JWT_PUB_KEY_REFRESH_INTERVAL}": want at least 1s, such as 20m`);
  return { jwtPubKeyRefreshIntervalMs: refresh, blockedCidrsInJwksUris: cidrList(env, 'BLOCKED_CIDRS_IN_JWKS_URIS') };
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
    ...(values.meshNetworks !== undefined ? { meshNetworksFile: values.meshNetworks } : {}),
    ...(env.PILOT_REMOTE_CLUSTER_TIMEOUT ? { remoteClusterTimeoutMs: envDuration(env, 'PILOT_REMOTE_CLUSTER_TIMEOUT', 30_000) } : {}),
    ...(values.kubeconfig !== undefined ? { kubeconfig: values.kubeconfig } : {}),
    ...(env.KUBERNETES_SERVICE_HOST ? { kubernetesServiceHost: env.KUBERNETES_SERVICE_HOST } : {}),
    ...(env.KUBERNETES_SERVICE_PORT ? { kubernetesServicePort: env.KUBERNETES_SERVICE_PORT } : {}),
    grpcAddr: address('grpcAddr', values.grpcAddr, d.grpcAddr),
    // Empty disables the secure port (and the CA), as in istiod.
    secureGRPCAddr: values.secureGRPCAddr === '' ? '' : address('secureGRPCAddr', values.secureGRPCAddr, d.secureGRPCAddr),
    httpAddr: address('httpAddr', values.httpAddr, d.httpAddr),
    monitoringAddr: address('monitoringAddr', values.monitoringAddr, d.monitoringAddr),
    // Empty disables the webhook port (its certificate needs the CA, so it is off without 15012 too).
    httpsAddr: values.httpsAddr === '' ? '' : address('httpsAddr', values.httpsAddr, d.httpsAddr),
    ...(env.REVISION ? { revision: env.REVISION } : {}),
    injectionDir: values.injectionDir || d.injectionDir,
    enableNativeSidecars: envBool(env, 'ENABLE_NATIVE_SIDECARS', d.enableNativeSidecars),
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
    scopeGatewayToNamespace: envBool(env, 'PILOT_SCOPE_GATEWAY_TO_NAMESPACE', d.scopeGatewayToNamespace),
    enableGatewayDeploymentController: envBool(env, 'PILOT_ENABLE_GATEWAY_API_DEPLOYMENT_CONTROLLER', d.enableGatewayDeploymentController),
    ...caOptions(values, env),
    ...leaderAndStatusFromEnv(env, d),
    ...jwksOptions(env),
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

/** istioctl kube-inject's flags; ENABLE_NATIVE_SIDECARS as istiod reads it. */
function parseKubeInject(args: string[], env: NodeJS.ProcessEnv): Command {
  const { values, positionals } = parseFlags(args, KUBE_INJECT_FLAGS);
  if (values.help) return { name: 'help', topic: 'kube-inject' };
  if (positionals.length > 0) usage(`kube-inject takes no arguments, got "${positionals.join(' ')}"; use -f FILE`);
  if (values.filename === undefined || values.filename === '') usage('kube-inject needs -f FILE (or -f - for stdin)');
  return {
    name: 'kube-inject',
    options: {
      filename: values.filename,
      nativeSidecars: envBool(env, 'ENABLE_NATIVE_SIDECARS', false),
      ...(values.output !== undefined ? { output: values.output } : {}),
      ...(values.injectConfigFile !== undefined ? { injectConfigFile: values.injectConfigFile } : {}),
      ...(values.meshConfigFile !== undefined ? { meshConfigFile: values.meshConfigFile } : {}),
      ...(values.valuesFile !== undefined ? { valuesFile: values.valuesFile } : {}),
      ...(values.revision !== undefined ? { revision: values.revision } : {}),
    },
  };
}

function parseAgent(args: string[], env: NodeJS.ProcessEnv): Command {
  const parsed = parseAgentArgs(args, env);
  if (parsed.help) return { name: 'help', topic: 'agent' };
  return { name: 'agent', options: parsed.options, logLevels: parseLogLevels(parsed.logOutputLevel ?? 'info') };
}

export function parseCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Command {
  const [name, ...rest] = argv;
  switch (name) {
    case 'discovery':
      return parseDiscovery(rest, env);
    case 'validate':
      return parseValidate(rest);
    case 'agent':
      return parseAgent(rest, env);
    case 'kube-inject':
      return parseKubeInject(rest, env);
    case 'version':
      return { name: 'version' };
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return { name: 'help', ...(rest[0] ? { topic: rest[0] } : {}) };
    default:
      return usage(`unknown command "${name}"; commands: discovery, agent, validate, kube-inject, version, help`);
  }
}

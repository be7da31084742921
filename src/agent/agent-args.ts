/**
 * argv + env → AgentOptions for `istiod-ts agent`. Pure (main.ts passes the environment in).
 * A flag wins over its env var. Bad values are UserErrors naming the flag or variable and why.
 */
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { parseDurationMillis } from '../lib/duration.js';
import { ErrorCodes, UserError } from '../lib/errors.js';
import { isDns1123Label, isDns1123Subdomain } from '../lib/k8s-names.js';
import { AGENT_DEFAULTS, type AgentOptions, type WorkloadKeyType } from './options.js';

const AGENT_FLAGS = {
  caAddr: { type: 'string' },
  caRootCert: { type: 'string' },
  caServerName: { type: 'string' },
  tokenFile: { type: 'string' },
  outputCerts: { type: 'string' },
  grpcXdsBootstrap: { type: 'string' },
  discoveryAddress: { type: 'string' },
  certRefreshInterval: { type: 'string' },
  secretTTL: { type: 'string' },
  domain: { type: 'string' },
  log_output_level: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** istiod's default MAX_WORKLOAD_CERT_TTL: a longer request could only fail. */
const MAX_SECRET_TTL_MS = 90 * 24 * 3600 * 1000;

export type AgentArgs = { readonly help: true } | { readonly help: false; readonly options: AgentOptions; readonly logOutputLevel?: string };

type Env = Readonly<Record<string, string | undefined>>;

/** A setting's value and where it came from, for error messages. */
interface Setting {
  readonly value: string;
  readonly source: string;
}

function bad(setting: Setting, why: string): never {
  throw new UserError(ErrorCodes.CLI_FLAG, `invalid ${setting.source} "${setting.value}": ${why}`);
}

function pick(flags: Record<string, unknown>, flag: string, env: Env, envName?: string): Setting | undefined {
  const fromFlag = flags[flag];
  if (typeof fromFlag === 'string') return { value: fromFlag, source: `--${flag}` };
  const fromEnv = envName ? env[envName] : undefined;
  return fromEnv !== undefined && fromEnv !== '' ? { value: fromEnv, source: envName! } : undefined;
}

function fromEnv(env: Env, name: string): Setting | undefined {
  return pick({}, '', env, name);
}

/** `host:port` or `[v6]:port`, port 1–65535. */
export function isDialAddress(text: string): boolean {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):(\d{1,5})$/.exec(text);
  return m !== null && Number(m[2]) >= 1 && Number(m[2]) <= 65535;
}

function dialAddress(s: Setting | undefined, fallback: string): string {
  if (!s) return fallback;
  if (!isDialAddress(s.value)) bad(s, 'want host:port with port 1-65535');
  return s.value;
}

function nonEmptyPath(s: Setting | undefined, fallback: string): string {
  if (!s) return fallback;
  if (s.value.includes('\0')) bad(s, 'not a file path');
  return s.value;
}

function positiveMillis(s: Setting | undefined, fallback: number): number {
  if (!s) return fallback;
  const ms = parseDurationMillis(s.value);
  if (ms === undefined || ms <= 0) bad(s, 'want a positive duration such as 30s or 24h');
  return ms;
}

function ratio(s: Setting | undefined, fallback: number, min: number, max: number): number {
  if (!s) return fallback;
  const n = Number(s.value);
  if (s.value.trim() === '' || !Number.isFinite(n) || n < min || n >= max) bad(s, `want a number in [${min}, ${max})`);
  return n;
}

function wholeNumber(s: Setting | undefined, fallback: number, min: number, max: number): number {
  if (!s) return fallback;
  const n = Number(s.value);
  if (!Number.isSafeInteger(n) || n < min || n > max) bad(s, `want a whole number from ${min} to ${max}`);
  return n;
}

function keyType(env: Env): WorkloadKeyType {
  const alg = fromEnv(env, 'ECC_SIGNATURE_ALGORITHM');
  const algorithm = alg ? alg.value.toUpperCase() : 'ECDSA';
  if (algorithm === 'RSA') return { algorithm: 'RSA', bits: wholeNumber(fromEnv(env, 'WORKLOAD_RSA_KEY_SIZE'), 2048, 2048, 8192) };
  if (algorithm !== 'ECDSA') bad(alg!, 'want ECDSA or RSA');
  const curve = fromEnv(env, 'ECC_CURVE');
  const name = curve ? curve.value.toUpperCase().replace('-', '') : 'P256';
  if (name !== 'P256' && name !== 'P384') bad(curve!, 'want P256 or P384');
  return { algorithm: 'ECDSA', curve: name };
}

function checked(s: Setting | undefined, test: (v: string) => boolean, why: string): string | undefined {
  if (s && !test(s.value)) bad(s, why);
  return s?.value;
}

function workload(flags: Record<string, unknown>, env: Env) {
  return {
    podName: checked(fromEnv(env, 'POD_NAME'), isDns1123Subdomain, 'must be a Kubernetes object name'),
    podNamespace: checked(fromEnv(env, 'POD_NAMESPACE'), isDns1123Label, 'must be a Kubernetes namespace name'),
    instanceIp: checked(fromEnv(env, 'INSTANCE_IP'), (v) => isIP(v) !== 0, 'must be an IP address'),
    serviceAccount: checked(fromEnv(env, 'SERVICE_ACCOUNT'), isDns1123Subdomain, 'must be a service account name'),
    clusterId: fromEnv(env, 'ISTIO_META_CLUSTER_ID')?.value ?? AGENT_DEFAULTS.clusterId,
    domain: checked(pick(flags, 'domain', env), isDns1123Subdomain, 'must be a DNS domain such as default.svc.cluster.local'),
    extraMetadata: metadataFromEnv(env),
  };
}

const META = 'ISTIO_META_';
const META_JSON = 'ISTIO_METAJSON_';

/** As istio-agent: ISTIO_META_<K>=v → metadata K: "v"; ISTIO_METAJSON_<K>={...} → K: the parsed JSON. */
function metadataFromEnv(env: Env): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (name.startsWith(META) && name.length > META.length) out[name.slice(META.length)] = value;
    if (name.startsWith(META_JSON) && name.length > META_JSON.length) {
      try {
        out[name.slice(META_JSON.length)] = JSON.parse(value) as unknown;
      } catch (err) {
        bad({ value: value.slice(0, 80), source: name }, `not JSON: ${(err as Error).message}`);
      }
    }
  }
  return out;
}

function parseFlagsOrExplain(args: string[]) {
  try {
    return parseArgs({ args, options: AGENT_FLAGS, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UserError(ErrorCodes.CLI_USAGE, (err as Error).message.replace(/\. To specify.*$/s, ''));
  }
}

export function parseAgentArgs(args: string[], env: Env): AgentArgs {
  const { values, positionals } = parseFlagsOrExplain(args);
  if (values.help) return { help: true };
  if (positionals.length > 0) throw new UserError(ErrorCodes.CLI_USAGE, `agent takes no arguments, got "${positionals.join(' ')}"`);
  const d = AGENT_DEFAULTS;
  const ttlSetting = pick(values, 'secretTTL', env, 'SECRET_TTL');
  const ttlMs = positiveMillis(ttlSetting, d.secretTtlSeconds * 1000);
  if (ttlSetting && ttlMs > MAX_SECRET_TTL_MS) bad(ttlSetting, 'the CA refuses lifetimes above 90 days (MAX_WORKLOAD_CERT_TTL)');
  const gracePeriodRatio = ratio(fromEnv(env, 'SECRET_GRACE_PERIOD_RATIO'), d.gracePeriodRatio, 0.01, 1);
  const jitterSetting = fromEnv(env, 'SECRET_GRACE_PERIOD_RATIO_JITTER');
  const gracePeriodRatioJitter = ratio(jitterSetting, Math.min(d.gracePeriodRatioJitter, gracePeriodRatio / 2, (1 - gracePeriodRatio) / 2), 0, 1);
  if (gracePeriodRatio - gracePeriodRatioJitter <= 0 || gracePeriodRatio + gracePeriodRatioJitter >= 1) {
    bad(jitterSetting ?? { value: String(gracePeriodRatioJitter), source: 'SECRET_GRACE_PERIOD_RATIO_JITTER' }, `SECRET_GRACE_PERIOD_RATIO ${gracePeriodRatio} ± jitter must stay within (0, 1)`);
  }
  const caServerName = checked(pick(values, 'caServerName', env), isDns1123Subdomain, 'must be a DNS name');
  const bootstrap = pick(values, 'grpcXdsBootstrap', env, 'GRPC_XDS_BOOTSTRAP');
  const options: AgentOptions = {
    caAddr: dialAddress(pick(values, 'caAddr', env, 'CA_ADDR'), d.caAddr),
    caRootCertFile: nonEmptyPath(pick(values, 'caRootCert', env, 'CA_ROOT_CA'), d.caRootCertFile),
    ...(caServerName !== undefined ? { caServerName } : {}),
    tokenFile: nonEmptyPath(pick(values, 'tokenFile', env, 'CA_AUTH_TOKEN'), d.tokenFile),
    outputCertsDir: nonEmptyPath(pick(values, 'outputCerts', env, 'OUTPUT_CERTS'), d.outputCertsDir),
    ...(bootstrap ? { grpcXdsBootstrapFile: nonEmptyPath(bootstrap, '') } : {}),
    discoveryAddress: dialAddress(pick(values, 'discoveryAddress', env, 'XDS_ADDRESS'), d.discoveryAddress),
    certRefreshIntervalMs: positiveMillis(pick(values, 'certRefreshInterval', env), d.certRefreshIntervalMs),
    secretTtlSeconds: Math.ceil(ttlMs / 1000),
    gracePeriodRatio,
    gracePeriodRatioJitter,
    keyType: keyType(env),
    initialBackoffMs: wholeNumber(fromEnv(env, 'INITIAL_BACKOFF_MSEC'), d.initialBackoffMs, 1, 3_600_000),
    maxBackoffMs: d.maxBackoffMs,
    ...dropUndefined(workload(values, env)),
  };
  const logLevel = pick(values, 'log_output_level', env);
  return { help: false, options: Object.freeze(options), ...(logLevel ? { logOutputLevel: logLevel.value } : {}) };
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

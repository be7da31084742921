/**
 * Leader-election and status-writing settings from the environment, for cli/parse-args.ts.
 * Istio's names where it has them (POD_NAME, ENABLE_LEADER_ELECTION, PILOT_ENABLE_STATUS,
 * PILOT_STATUS_QPS, PILOT_STATUS_BURST); istiod fixes its lease timings (30 s ttl, renew
 * deadline ttl/2, retry period ttl/4), so the LEADER_ELECTION_* names are this project's.
 * Setting only the lease duration derives the other two the way istiod does.
 */
import type { LeaderElectionOptions } from '../../config/options.js';
import { parseDurationMillis } from '../../lib/duration.js';
import { ErrorCodes, UserError } from '../../lib/errors.js';
import { isDns1123Subdomain } from '../../lib/k8s-names.js';
import { checkElectionTimings } from './leader-election.js';

type Env = Readonly<Record<string, string | undefined>>;

function bad(name: string, raw: string, want: string): never {
  throw new UserError(ErrorCodes.CLI_FLAG, `invalid ${name}="${raw}": ${want}`);
}

function duration(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const ms = parseDurationMillis(raw);
  if (ms === undefined || ms <= 0) bad(name, raw, 'want a positive duration such as 30s');
  return ms;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(raw)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(raw)) return false;
  return bad(name, raw, 'want true or false');
}

function objectName(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!isDns1123Subdomain(raw)) bad(name, raw, 'must be a Kubernetes object name');
  return raw;
}

function positive(env: Env, name: string, fallback: number, integer: boolean): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isSafeInteger(n))) bad(name, raw, `want a ${integer ? 'whole ' : ''}number > 0`);
  return n;
}

export function leaderElectionFromEnv(env: Env, defaults: LeaderElectionOptions): LeaderElectionOptions {
  const lease = duration(env, 'LEADER_ELECTION_LEASE_DURATION') ?? defaults.leaseDurationMs;
  const derived = lease !== defaults.leaseDurationMs;
  const timings = {
    leaseDurationMs: lease,
    renewDeadlineMs: duration(env, 'LEADER_ELECTION_RENEW_DEADLINE') ?? (derived ? lease / 2 : defaults.renewDeadlineMs),
    retryPeriodMs: duration(env, 'LEADER_ELECTION_RETRY_PERIOD') ?? (derived ? lease / 4 : defaults.retryPeriodMs),
  };
  try {
    checkElectionTimings(timings);
  } catch (err) {
    throw new UserError(ErrorCodes.CLI_FLAG, `invalid LEADER_ELECTION_* settings: ${(err as Error).message}`);
  }
  const namespace = objectName(env, 'LEADER_ELECTION_NAMESPACE') ?? defaults.namespace;
  const leaseName = objectName(env, 'LEADER_ELECTION_LEASE_NAME') ?? defaults.leaseName;
  return Object.freeze({ enabled: bool(env, 'ENABLE_LEADER_ELECTION', defaults.enabled), ...(namespace ? { namespace } : {}), ...(leaseName ? { leaseName } : {}), ...timings });
}

/** The Options fields of leader election and status writing. */
export function leaderAndStatusFromEnv(env: Env, defaults: { leaderElection: LeaderElectionOptions; enableStatus: boolean; statusQps: number; statusBurst: number }) {
  const podName = objectName(env, 'POD_NAME');
  return {
    ...(podName ? { podName } : {}),
    leaderElection: leaderElectionFromEnv(env, defaults.leaderElection),
    enableStatus: bool(env, 'PILOT_ENABLE_STATUS', defaults.enableStatus),
    statusQps: positive(env, 'PILOT_STATUS_QPS', defaults.statusQps, false),
    statusBurst: positive(env, 'PILOT_STATUS_BURST', defaults.statusBurst, true),
  };
}

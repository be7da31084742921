/** Shapes shared by the fake API server's modules, and the `Status` error bodies it answers with. */

export interface ObjectMeta {
  name: string;
  namespace?: string;
  generateName?: string;
  resourceVersion?: string;
  uid?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  [k: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [k: string]: unknown;
}

export interface Reply {
  readonly code: number;
  readonly body: unknown;
}

/** RBAC verbs, as the fake counts requests and denies them. */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

/**
 * A denied verb, as RBAC would (403 Forbidden). `resource` is a plural (`configmaps`), optionally
 * with its group (`gateways.networking.istio.io`); `namespace` undefined: every namespace.
 */
export interface DenyRule {
  readonly verb: Verb;
  readonly resource: string;
  readonly namespace?: string;
}

export function statusBody(code: number, reason: string, message: string, details?: object): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

export const reply = (code: number, body: unknown): Reply => ({ code, body });

export const failure = (code: number, reason: string, message: string, details?: object): Reply => reply(code, statusBody(code, reason, message, details));

export const badRequest = (message: string): Reply => failure(400, 'BadRequest', message);

export const methodNotAllowed = (): Reply => failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');

export const clone = <T>(v: T): T => structuredClone(v);

/** Seconds-precision RFC 3339, as metav1.Time serializes. */
export const nowTimestamp = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export function isStringMap(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

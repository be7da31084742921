/**
 * AdmissionReview admission.k8s.io/v1 in and out. The request is untrusted: every field the
 * handlers read is checked here, and a body that is not an AdmissionReview is a value naming
 * the field, which the server turns into 400. The response echoes the request's uid, as the
 * API server requires.
 */
import type { JsonPatchOp } from '../../inject/json-patch.js';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface AdmissionRequest {
  readonly uid: string;
  readonly kind: GroupVersionKind;
  /** request.resource.resource (the plural), '' when absent. */
  readonly resource: string;
  readonly operation: string;
  readonly namespace: string;
  readonly name: string;
  /** Absent on DELETE (oldObject carries the state then). */
  readonly object: unknown;
  readonly dryRun: boolean;
}

export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: { readonly code: number; readonly message: string; readonly reason?: string };
  readonly patchType?: 'JSONPatch';
  /** base64 of the JSON patch text. */
  readonly patch?: string;
  readonly warnings?: readonly string[];
}

export type ReviewParse = { ok: true; request: AdmissionRequest; apiVersion: string } | { ok: false; message: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function parseGvk(raw: unknown): GroupVersionKind | undefined {
  if (!isObject(raw) || typeof raw.kind !== 'string' || typeof raw.version !== 'string') return undefined;
  return { group: str(raw.group), version: raw.version, kind: raw.kind };
}

/** The parsed JSON body → the request, or why it is not an AdmissionReview (v1; v1beta1 read alike, as Istio does). */
export function parseAdmissionReview(body: unknown): ReviewParse {
  if (!isObject(body)) return { ok: false, message: 'body: expected an AdmissionReview object' };
  if (body.kind !== 'AdmissionReview') return { ok: false, message: `kind: expected AdmissionReview, got ${JSON.stringify(body.kind ?? null).slice(0, 80)}` };
  const apiVersion = str(body.apiVersion);
  if (apiVersion !== ADMISSION_API_VERSION && apiVersion !== 'admission.k8s.io/v1beta1') {
    return { ok: false, message: `apiVersion: expected ${ADMISSION_API_VERSION}, got ${JSON.stringify(body.apiVersion ?? null).slice(0, 80)}` };
  }
  const req = body.request;
  if (!isObject(req)) return { ok: false, message: 'request: required (an AdmissionReview without a request)' };
  if (typeof req.uid !== 'string' || req.uid === '') return { ok: false, message: 'request.uid: required' };
  if (req.uid.length > 256) return { ok: false, message: 'request.uid: longer than 256 characters' };
  const kind = parseGvk(req.kind);
  if (!kind) return { ok: false, message: 'request.kind: required (group, version, kind)' };
  return {
    ok: true,
    apiVersion,
    request: { uid: req.uid, kind, resource: isObject(req.resource) ? str(req.resource.resource) : '', operation: str(req.operation), namespace: str(req.namespace), name: str(req.name), object: req.object, dryRun: req.dryRun === true },
  };
}

export function allow(uid: string, warnings: readonly string[] = []): AdmissionResponse {
  return { uid, allowed: true, ...(warnings.length > 0 ? { warnings } : {}) };
}

export function allowWithPatch(uid: string, patch: readonly JsonPatchOp[]): AdmissionResponse {
  if (patch.length === 0) return allow(uid);
  return { uid, allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') };
}

/** A refusal: HTTP-like code in the status (400 bad object, 500 our failure), message for kubectl. */
export function deny(uid: string, message: string, code = 400, warnings: readonly string[] = []): AdmissionResponse {
  return { uid, allowed: false, status: { code, message, reason: code === 500 ? 'InternalError' : 'BadRequest' }, ...(warnings.length > 0 ? { warnings } : {}) };
}

/** The review sent back: same apiVersion as received, response with the uid echoed. */
export function reviewResponse(apiVersion: string, response: AdmissionResponse): string {
  return JSON.stringify({ apiVersion, kind: 'AdmissionReview', response });
}

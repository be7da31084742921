/**
 * Checks kube-apiserver makes on a request body before storage, with its status codes: 400 for
 * a body of the wrong kind, apiVersion, name or namespace, 422 Invalid for a missing or malformed
 * name; Secret `data` must be base64 and `stringData` is folded into it; ConfigMap data must be
 * strings. `generateName` gets the random suffix the server appends.
 */
import { randomBytes } from 'node:crypto';
import { apiVersionOf, type ResourceType } from './resource-types.js';
import { badRequest, clone, failure, isPlainObject, isStringMap, reply, type KubeObject, type Reply } from './types.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Kinds whose names must be DNS-1123 labels rather than subdomains. */
const LABEL_NAMED = new Set(['namespaces', 'services']);

export interface Checked {
  readonly obj: KubeObject;
}

export const notFound = (type: ResourceType, name: string): Reply =>
  failure(404, 'NotFound', `${type.plural}${type.group ? `.${type.group}` : ''} "${name}" not found`, { name, ...(type.group ? { group: type.group } : {}), kind: type.plural });

export function conflict(type: ResourceType, name: string, message = 'the object has been modified; please apply your changes to the latest version and try again'): Reply {
  const resource = type.group ? `${type.plural}.${type.group}` : type.plural;
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": ${message}`, { name, ...(type.group ? { group: type.group } : {}), kind: type.plural });
}

function suffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

function invalidName(type: ResourceType, name: string): Reply | undefined {
  const label = LABEL_NAMED.has(type.plural) && type.group === '';
  const ok = label ? DNS_LABEL.test(name) && name.length <= 63 : DNS_SUBDOMAIN.test(name) && name.length <= 253;
  if (ok) return undefined;
  const rule = label ? 'a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\'' : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'";
  return failure(422, 'Invalid', `${type.kind} "${name}" is invalid: metadata.name: Invalid value: "${name}": ${rule}`, { name, kind: type.kind, causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: "${name}"`, field: 'metadata.name' }] });
}

/** The body of a create / update / status update, validated; `urlName` undefined on create. */
export function checkBody(type: ResourceType, version: string, namespace: string | undefined, body: unknown, urlName: string | undefined): Reply | Checked {
  if (!isPlainObject(body)) return badRequest('the object provided is unrecognized');
  const obj = clone(body) as KubeObject;
  const expected = apiVersionOf(type, version);
  if ((obj.kind !== undefined && obj.kind !== type.kind) || (obj.apiVersion !== undefined && obj.apiVersion !== expected)) {
    return badRequest(`the API version in the data (${String(obj.apiVersion)}) or kind (${String(obj.kind)}) does not match the expected ${expected} ${type.kind}`);
  }
  if (!isPlainObject(obj.metadata)) obj.metadata = { name: '' };
  const meta = obj.metadata;
  if (urlName === undefined && !meta.name && typeof meta.generateName === 'string' && meta.generateName) meta.name = `${meta.generateName}${suffix()}`;
  if (typeof meta.name !== 'string' || meta.name === '') {
    return failure(422, 'Invalid', `${type.kind} "" is invalid: metadata.name: Required value: name or generateName is required`, { kind: type.kind, causes: [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }] });
  }
  if (urlName !== undefined && meta.name !== urlName) return badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${urlName})`);
  const bad = invalidName(type, meta.name);
  if (bad) return bad;
  if (meta.namespace !== undefined && meta.namespace !== namespace && type.namespaced) return badRequest('the namespace of the provided object does not match the namespace sent on the request');
  if (namespace !== undefined) meta.namespace = namespace;
  else delete meta.namespace;
  if (type.group === '' && type.plural === 'secrets') return foldSecretData(obj);
  if (type.group === '' && type.plural === 'configmaps' && obj.data !== undefined && !isStringMap(obj.data)) return badRequest('ConfigMap.data: values must be strings');
  return { obj };
}

function foldSecretData(obj: KubeObject): Reply | Checked {
  const data = (obj.data ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== 'string' || !BASE64.test(v) || v.length % 4 !== 0) return badRequest(`Secret in version "v1" cannot be handled as a Secret: illegal base64 data in data["${k}"]`);
  }
  if (obj.stringData !== undefined) {
    if (!isStringMap(obj.stringData)) return badRequest('Secret.stringData: values must be strings');
    for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(v).toString('base64');
    delete obj.stringData;
  }
  if (Object.keys(data).length > 0) obj.data = data;
  return { obj };
}

/** Optimistic concurrency: a stale metadata.resourceVersion or a different uid is 409 Conflict. */
export function preconditionFailure(type: ResourceType, sent: KubeObject, existing: KubeObject): Reply | undefined {
  const rv = sent.metadata.resourceVersion;
  if (rv !== undefined && rv !== '' && rv !== existing.metadata.resourceVersion) return conflict(type, existing.metadata.name);
  const uid = sent.metadata.uid;
  if (uid !== undefined && uid !== '' && uid !== existing.metadata.uid) {
    return conflict(type, existing.metadata.name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${existing.metadata.uid}`);
  }
  return undefined;
}

/** DeleteOptions preconditions (uid, resourceVersion). */
export function deletePreconditionFailure(type: ResourceType, body: unknown, existing: KubeObject): Reply | undefined {
  const pre = isPlainObject(body) && isPlainObject(body.preconditions) ? body.preconditions : undefined;
  if (!pre) return undefined;
  const name = existing.metadata.name;
  if (typeof pre.uid === 'string' && pre.uid !== existing.metadata.uid) return conflict(type, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${existing.metadata.uid}`);
  if (typeof pre.resourceVersion === 'string' && pre.resourceVersion !== existing.metadata.resourceVersion) {
    return conflict(type, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion}`);
  }
  return undefined;
}

export const created = (obj: KubeObject): Reply => reply(201, obj);

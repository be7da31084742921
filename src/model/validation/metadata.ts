/** Kubernetes ObjectMeta rules: names, namespaces, labels and annotations. */
import type { ObjectMeta } from '../config.js';
import type { KindInfo } from '../kinds.js';
import { invalid, joinPath, required, type ValidationIssue } from '../../lib/issue.js';
import { isDns1123Label, isDns1123Subdomain, isLabelValue, qualifiedKeyProblem } from '../../lib/k8s-names.js';

const MAX_ANNOTATIONS_BYTES = 256 * 1024;

function stringMap(value: unknown, path: string, issues: ValidationIssue[], isLabels: boolean): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    issues.push(invalid(path, value, 'must be a map of string keys to string values'));
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const p = joinPath(path, k);
    const keyProblem = qualifiedKeyProblem(k);
    if (keyProblem) issues.push(invalid(p, k, keyProblem));
    if (typeof v !== 'string') {
      issues.push(invalid(p, v, 'value must be a string (quote numbers and booleans in YAML)'));
      continue;
    }
    if (isLabels && !isLabelValue(v)) {
      issues.push(invalid(p, v, "a label value must be empty or consist of alphanumeric characters, '-', '_' or '.', start and end with an alphanumeric character, at most 63 characters"));
    }
    out[k] = v;
  }
  return out;
}

export function validateMetadata(raw: unknown, info: KindInfo, defaultNamespace: string): { meta?: ObjectMeta; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  if (raw === undefined || raw === null) return { issues: [required('metadata', 'every object needs metadata.name')] };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { issues: [invalid('metadata', raw, 'must be a mapping')] };
  const m = raw as Record<string, unknown>;
  if (m.name === undefined || m.name === '') issues.push(required('metadata.name', 'name or generateName is required'));
  else if (typeof m.name !== 'string') issues.push(invalid('metadata.name', m.name, 'must be a string'));
  else if (!isDns1123Subdomain(m.name)) {
    issues.push(invalid('metadata.name', m.name, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"));
  }
  let namespace = '';
  if (info.namespaced) {
    namespace = defaultNamespace;
    if (m.namespace !== undefined && m.namespace !== '') {
      if (typeof m.namespace !== 'string' || !isDns1123Label(m.namespace)) {
        issues.push(invalid('metadata.namespace', m.namespace, 'a namespace must be a lowercase RFC 1123 label of at most 63 characters'));
      } else namespace = m.namespace;
    }
  }
  const labels = stringMap(m.labels, 'metadata.labels', issues, true);
  const annotations = stringMap(m.annotations, 'metadata.annotations', issues, false);
  if (JSON.stringify(annotations).length > MAX_ANNOTATIONS_BYTES) issues.push(invalid('metadata.annotations', '', 'annotations may total at most 256 KiB'));
  if (issues.length > 0) return { issues };
  const meta: ObjectMeta = {
    name: m.name as string,
    namespace,
    labels,
    annotations,
    ...optionalMetaFields(m),
  };
  return { meta, issues };
}

type OptionalMeta = Pick<ObjectMeta, 'resourceVersion' | 'generation' | 'creationTimestamp' | 'uid' | 'deletionTimestamp'>;

/** The metadata fields the model keeps when the API server (or a file) sets them with the right type. */
export function optionalMetaFields(m: Readonly<Record<string, unknown>>): OptionalMeta {
  return {
    ...(typeof m.resourceVersion === 'string' ? { resourceVersion: m.resourceVersion } : {}),
    ...(typeof m.generation === 'number' ? { generation: m.generation } : {}),
    ...(typeof m.creationTimestamp === 'string' ? { creationTimestamp: m.creationTimestamp } : {}),
    ...(typeof m.uid === 'string' ? { uid: m.uid } : {}),
    ...(typeof m.deletionTimestamp === 'string' ? { deletionTimestamp: m.deletionTimestamp } : {}),
  };
}

/** Small builders for ConfigObjects in unit tests (no validation involved). */
import type { ConfigObject } from '../../../src/model/config.js';
import type { KindName } from '../../../src/model/kinds.js';

export function obj(kind: KindName, namespace: string, name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}, annotations: Record<string, string> = {}): ConfigObject {
  return { kind, apiVersion: 'v1', metadata: { name, namespace, labels, annotations }, spec };
}

export function service(name: string, ns: string, spec: Record<string, unknown>): ConfigObject {
  return obj('Service', ns, name, { spec });
}

export function pod(name: string, ns: string, labels: Record<string, string>, ip: string, extra: Record<string, unknown> = {}): ConfigObject {
  return obj('Pod', ns, name, { spec: { containers: [{ name: 'c', ports: [{ name: 'http-web', containerPort: 8080 }] }], ...extra }, status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'True' }] } }, labels);
}

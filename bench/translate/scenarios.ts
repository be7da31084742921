/**
 * Istio's pilot benchmark scenarios (../shared/bench/istio-scenarios/*.yaml) loaded into a
 * Snapshot, with the proxy Istio's benchmark uses: IP 1.1.1.1, namespace default, label
 * istio.io/benchmark=true. Each file's header comment says its service count and proxy type.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { defaultMeshConfig } from '../../src/config/mesh-config.js';
import type { MeshConfig } from '../../src/config/mesh-types.js';
import type { ConfigObject } from '../../src/model/config.js';
import { parseProxy, type Proxy } from '../../src/model/proxy.js';
import { buildSnapshot, registryOptions, type Snapshot } from '../../src/model/snapshot.js';
import { createValidator } from '../../src/model/validation/validate.js';
import { parseDocuments } from '../../src/sources/file/parse-documents.js';

export interface ScenarioHeader {
  readonly name: string;
  readonly services: number;
  readonly instances: number;
  /** `sidecar` or `router`, as the header says. */
  readonly proxyType: string;
}

export interface LoadedScenario extends ScenarioHeader {
  readonly snapshot: Snapshot;
  readonly proxy: Proxy;
  readonly mesh: MeshConfig;
  /** Documents the validator rejected (reported, not fatal). */
  readonly rejected: number;
}

const HEADER = /services=(\d+), instances=(\d+), proxy type=(\w+)/;

export function readHeader(file: string, text: string): ScenarioHeader {
  const m = HEADER.exec(text.slice(0, 1000));
  return {
    name: basename(file, '.yaml'),
    services: m ? Number(m[1]) : NaN,
    instances: m ? Number(m[2]) : NaN,
    proxyType: m?.[3] ?? 'unknown',
  };
}

export function benchmarkProxy(type: string): Proxy {
  const parsed = parseProxy({
    id: `${type}~1.1.1.1~benchmark.default~default.svc.cluster.local`,
    metadata: { NAMESPACE: 'default', LABELS: { 'istio.io/benchmark': 'true' }, INSTANCE_IPS: '1.1.1.1', ISTIO_VERSION: '1.24.0' },
    locality: { region: 'region', zone: 'zone' },
  });
  if (!parsed.ok) throw new Error(`benchmark proxy does not parse: ${JSON.stringify(parsed.errors)}`);
  return parsed.value;
}

let validator: ReturnType<typeof createValidator> | undefined;

export function loadScenario(file: string): LoadedScenario {
  const text = readFileSync(file, 'utf8');
  const header = readHeader(file, text);
  const v = (validator ??= createValidator());
  const objects: ConfigObject[] = [];
  let rejected = 0;
  for (const d of parseDocuments(text).documents) {
    const out = v.validate(d.value);
    if (out.object) objects.push(out.object);
    else rejected++;
  }
  const mesh = defaultMeshConfig();
  const snapshot = buildSnapshot(objects, undefined, registryOptions({ rootNamespace: mesh.rootNamespace }));
  return { ...header, snapshot, proxy: benchmarkProxy(header.proxyType), mesh, rejected };
}

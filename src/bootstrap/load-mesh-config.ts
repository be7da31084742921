/** Reads `--meshConfig FILE` (or istiod's defaults). A bad file stops startup with every problem listed. */
import { readFile } from 'node:fs/promises';
import { defaultMeshConfig } from '../config/mesh-defaults.js';
import { parseMeshConfig } from '../config/mesh-config.js';
import type { MeshConfig } from '../config/mesh-types.js';
import { ErrorCodes, UserError } from '../lib/errors.js';
import { renderIssue } from '../lib/issue.js';
import type { Logger } from '../lib/logger.js';

export async function loadMeshConfig(file: string | undefined): Promise<MeshConfig> {
  if (file === undefined) return defaultMeshConfig();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(ErrorCodes.MESHCONFIG_INVALID, `cannot read --meshConfig ${file}: ${(err as Error).message}`);
  }
  const parsed = parseMeshConfig(text, file);
  if (!parsed.ok) {
    const problems = parsed.errors.map((e) => `  ${renderIssue(e)}`).join('\n');
    throw new UserError(ErrorCodes.MESHCONFIG_INVALID, `invalid mesh config ${file}:\n${problems}`);
  }
  return parsed.value;
}

/**
 * The mesh config in force. The file (or defaults) at start; in Kubernetes mode without
 * --meshConfig, ConfigMap `istio` replaces it live. Subscribers (the model pipeline, the
 * generators, the Kubernetes source's discovery scope) react to each new value.
 */
export interface MeshHolder {
  current(): MeshConfig;
  /** Where the current value came from: the file, `defaults` or the ConfigMap@resourceVersion. */
  origin(): string;
  set(mesh: MeshConfig, origin: string): void;
  subscribe(listener: (mesh: MeshConfig) => void): void;
}

export function createMeshHolder(initial: MeshConfig, origin: string): MeshHolder {
  let mesh = initial;
  let from = origin;
  const listeners: Array<(mesh: MeshConfig) => void> = [];
  return {
    current: () => mesh,
    origin: () => from,
    set(next, nextOrigin) {
      mesh = next;
      from = nextOrigin;
      for (const listener of listeners) listener(next);
    },
    subscribe: (listener) => void listeners.push(listener),
  };
}

/** Where the Kubernetes source reads the mesh config and which namespaces it always watches. */
export function kubeMeshOptions(options: { meshConfigFile?: string; podNamespace: string }, holder: MeshHolder, log: Logger) {
  const mesh = holder.current();
  // As istiod: a mesh config file, when given, wins; the ConfigMap is read only without one.
  const meshConfigMap = options.meshConfigFile !== undefined ? undefined : {
    namespace: options.podNamespace,
    initial: mesh,
    onMesh: (next: MeshConfig, from: string) => {
      log.info({ from }, 'mesh config reloaded');
      holder.set(next, from);
    },
  };
  return {
    discoverySelectors: mesh.discoverySelectors ?? [],
    alwaysInScope: [...new Set([options.podNamespace, mesh.rootNamespace])],
    ...(meshConfigMap ? { meshConfigMap } : {}),
  };
}

/** Shared builders for the injector unit tests. */
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import type { InjectContext } from '../../../src/inject/inject-pod.js';
import { defaultInjectorConfig, type InjectorConfig } from '../../../src/inject/injector-config.js';
import type { Pod } from '../../../src/inject/k8s.js';
import { defaultValues } from '../../../src/inject/values.js';

export function makeContext(config: Partial<InjectorConfig> = {}, extra: Partial<InjectContext> = {}): InjectContext {
  return { settings: { config: { ...defaultInjectorConfig(), ...config }, values: defaultValues() }, meshConfig: defaultMeshConfig(), ...extra };
}

export function makePod(labels: Record<string, string> = {}, annotations: Record<string, string> = {}, spec: Record<string, unknown> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', labels, annotations },
    spec: { containers: [{ name: 'app', image: 'app:1' }], ...spec },
  };
}

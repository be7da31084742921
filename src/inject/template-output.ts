/** What a rendered template contributes to a pod (the overlay Istio merges strategically). */
import type { Container, JsonObject, Volume } from './k8s.js';

export interface TemplateOutput {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly initContainers: readonly Container[];
  readonly containers: readonly Container[];
  readonly volumes: readonly Volume[];
  readonly imagePullSecrets: readonly { name: string }[];
  readonly podSecurityContext?: JsonObject;
  /** Other spec fields a static custom template sets, deep-merged. */
  readonly otherSpec?: JsonObject;
}

export function imagePullSecrets(names: readonly string[]): { name: string }[] {
  return names.map((name) => ({ name }));
}

/** Condition builders with Istio's reasons and messages for the Gateway API status. */
import type { ConfigObject } from '../config.js';
import type { Condition } from './types.js';

export function condition(obj: ConfigObject, type: string, ok: boolean, reason: string, message: string): Condition {
  const generation = obj.metadata.generation;
  return { type, status: ok ? 'True' : 'False', reason, message, ...(generation !== undefined ? { observedGeneration: generation } : {}) };
}

export const accepted = (obj: ConfigObject, message = 'Route was valid') => condition(obj, 'Accepted', true, 'Accepted', message);
export const resolvedRefs = (obj: ConfigObject, message = 'All references resolved') => condition(obj, 'ResolvedRefs', true, 'ResolvedRefs', message);

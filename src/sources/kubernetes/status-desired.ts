/**
 * The status an Istio object should have (istio.meta.v1alpha1.IstioStatus), from the status it
 * has and istiod-ts's messages about it. Pure. Only the fields this writer owns change:
 * `validationMessages` (set, or removed when there is nothing to say) and `observedGeneration`
 * (the metadata.generation the messages were computed for); `conditions` and anything else
 * another writer put there are kept as they are.
 * An object with no messages and no stale messages gets no write at all, so a mesh without
 * problems costs no status traffic; undefined means "already right, write nothing".
 */
import { isDeepStrictEqual } from 'node:util';
import type { AnalysisMessage } from './status-messages.js';

export type IstioStatus = Readonly<Record<string, unknown>>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasMessages(status: Record<string, unknown>): boolean {
  return Array.isArray(status.validationMessages) && status.validationMessages.length > 0;
}

/** `current`: the object's `status` as read (anything); `generation`: its metadata.generation. */
export function desiredStatus(current: unknown, messages: readonly AnalysisMessage[], generation: unknown): IstioStatus | undefined {
  const status = isRecord(current) ? current : {};
  if (messages.length === 0 && !hasMessages(status)) return undefined;
  const { validationMessages: _old, ...rest } = status;
  const next: Record<string, unknown> = { ...rest };
  if (messages.length > 0) next.validationMessages = messages.map((m) => ({ ...m, type: { ...m.type } }));
  if (typeof generation === 'number' && Number.isSafeInteger(generation)) next.observedGeneration = generation;
  return isDeepStrictEqual(next, status) ? undefined : next;
}

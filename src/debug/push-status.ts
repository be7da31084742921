/**
 * /debug/push_status: why config did not make it into xDS. Lists, for the current snapshot,
 * what snapshot building skipped (registry and DestinationRule merge problems) and what the
 * generators skipped or repaired while translating (e.g. a VirtualService route to an unknown
 * subset), each naming the object (`Kind/namespace/name`), the field path and the reason.
 * Named after istiod's push status endpoint; the shape is this project's own.
 */
import { objectKey } from '../model/config.js';
import type { Snapshot } from '../model/snapshot.js';
import type { AdsServer } from '../serve/types.js';
import type { RouteHandler } from './http-server.js';

function snapshotFindings(snapshot: Snapshot | undefined): unknown[] {
  return (snapshot?.diagnostics ?? []).map((d) => ({ object: objectKey(d.ref), path: d.path, reason: d.reason }));
}

function translateFindings(ads: AdsServer): Record<string, unknown> {
  const report = ads.diagnostics?.();
  if (!report) return { snapshotVersion: 0, dropped: 0, diagnostics: [] };
  return {
    snapshotVersion: report.snapshotVersion,
    dropped: report.dropped,
    diagnostics: report.diagnostics.map((d) => ({
      severity: d.severity,
      object: d.source ?? null,
      path: d.path ?? null,
      reason: d.message,
      resource: d.resource ?? null,
      generator: d.generator,
      type: d.type,
      hits: d.hits,
    })),
  };
}

export function pushStatusView(ads: AdsServer, current: () => Snapshot | undefined): RouteHandler {
  return () => {
    const snapshot = current();
    return {
      snapshotVersion: snapshot?.version ?? 0,
      snapshot: snapshotFindings(snapshot),
      translate: translateFindings(ads),
    };
  };
}

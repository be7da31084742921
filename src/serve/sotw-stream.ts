/**
 * State-of-the-world ADS (StreamAggregatedResources). Per type: the subscription, what was last
 * sent (version, nonce, resources) and the ACK/NACK record. A response always carries every
 * subscribed resource (LDS/CDS removal is by omission); version_info is a hash of the content,
 * so a push that changes nothing for a type sends nothing, and a NACKed version is not sent
 * again until the content changes.
 */
import * as grpc from '@grpc/grpc-js';
import type { ChangeSet } from '../model/change-set.js';
import type { XdsResource } from '../translate/types.js';
import { PUSH_ORDER, shortTypeName, TypeUrl } from '../translate/type-urls.js';
import type { ConnectionHandle, StreamError, StreamProtocol } from './connection.js';
import type { CachedResource, ResourceCache } from './resource-cache.js';
import { encodeSotwResponse } from './response-encoding.js';
import type { SotwRequest } from './service-definition.js';
import { inPushOrder, pushPlan, resolveSubscription } from './subscription-resolver.js';
import { nextSotwSubscription, sameSubscription, type Subscription } from './subscriptions.js';
import type { TypeStatus } from './types.js';
import { recordAckOrNack, typeStatus } from './ack-record.js';
import { NonceSource, setVersion } from './versions.js';

interface Sent {
  readonly version: string;
  readonly nonce: string;
  readonly at: string;
  readonly resources: readonly CachedResource[];
}

interface SotwTypeState {
  sub: Subscription;
  sent?: Sent;
  ackedVersion?: string;
  nack?: { version: string; message: string };
}

export class SotwStream implements StreamProtocol<SotwRequest> {
  readonly kind = 'sotw' as const;
  private readonly types = new Map<string, SotwTypeState>();
  private readonly nonces = new NonceSource();

  constructor(private readonly h: ConnectionHandle) {}

  typeUrlOf(req: SotwRequest): string {
    return req.type_url ?? '';
  }

  check(req: SotwRequest): StreamError | undefined {
    const max = this.h.limits.maxResourceNames;
    if (req.resource_names.length > max) return { code: grpc.status.RESOURCE_EXHAUSTED, message: `resource_names: ${req.resource_names.length} names for ${req.type_url}, at most ${max} allowed` };
    return undefined;
  }

  handle(req: SotwRequest, cache: ResourceCache): void {
    const typeUrl = this.typeUrlOf(req);
    const nonce = req.response_nonce ?? '';
    const state = this.types.get(typeUrl);
    if (nonce === '') {
      // A first request for the type (or a client starting over): always answered.
      const sub = nextSotwSubscription(typeUrl, state?.sub, req.resource_names);
      const fresh = state ?? { sub };
      fresh.sub = sub;
      this.types.set(typeUrl, fresh);
      this.respond(typeUrl, fresh, cache, true);
      return;
    }
    if (!state?.sent || nonce !== state.sent.nonce) {
      // Stale: the client has not seen our latest response yet; it will answer that one.
      this.h.log.debug({ type: shortTypeName(typeUrl), nonce }, 'ads stale nonce ignored');
      return;
    }
    recordAckOrNack(this.h, typeUrl, state, state.sent.version, req.error_detail);
    const sub = nextSotwSubscription(typeUrl, state.sub, req.resource_names);
    if (sameSubscription(state.sub, sub)) return;
    state.sub = sub;
    this.respond(typeUrl, state, cache, true);
  }

  push(cache: ResourceCache, changes: ChangeSet): void {
    for (const step of pushPlan(this.h, cache, changes, this.types.keys())) {
      const state = this.types.get(step.typeUrl)!;
      if (step.endpointsOnly) this.pushEndpoints(state, cache, changes);
      else this.respond(step.typeUrl, state, cache, false);
    }
  }

  typeStatuses(): TypeStatus[] {
    return inPushOrder(this.types.keys(), PUSH_ORDER).map((typeUrl) => {
      const s = this.types.get(typeUrl)!;
      return typeStatus(typeUrl, s.sub, s.sent, s, (s.sent?.resources ?? []).map((r) => r.name));
    });
  }

  sentResources(): Map<string, readonly XdsResource[]> {
    const out = new Map<string, readonly XdsResource[]>();
    for (const [typeUrl, s] of this.types) if (s.sent) out.set(typeUrl, s.sent.resources.map((r) => r.resource));
    return out;
  }

  /**
   * Endpoints-only: nothing to do unless a subscribed name is affected; then the whole
   * subscription is resolved again from the new snapshot (a SotW response carries every
   * subscribed resource). Unchanged resources keep their versions, and proxies with the same
   * subscription share one resolved list and its encoded bytes.
   */
  private pushEndpoints(state: SotwTypeState, cache: ResourceCache, changes: ChangeSet): void {
    const typeUrl = TypeUrl.ClusterLoadAssignment;
    if (!state.sent || ![...state.sub.names].some((n) => this.h.generator.affectedByEndpoints(changes, typeUrl, n))) return;
    this.respond(typeUrl, state, cache, false);
  }

  private respond(typeUrl: string, state: SotwTypeState, cache: ResourceCache, force: boolean): void {
    const started = performance.now();
    const entries = resolveSubscription(this.h, cache, typeUrl, state.sub);
    if (!entries) return; // the generator failed (logged): the proxy keeps what it has
    this.send(typeUrl, state, entries, force, started);
  }

  private send(typeUrl: string, state: SotwTypeState, entries: readonly CachedResource[], force: boolean, started: number): void {
    const version = setVersion(entries);
    if (!force && state.sent?.version === version) return;
    const nonce = this.nonces.take();
    const bytes = encodeSotwResponse({ typeUrl, versionInfo: version, nonce, resources: entries });
    if (!this.h.send(typeUrl, bytes, started)) return;
    state.sent = { version, nonce, at: new Date().toISOString(), resources: entries };
    this.h.log.debug({ type: shortTypeName(typeUrl), version, nonce, resources: entries.length, bytes: bytes.length }, 'ads response sent');
  }
}

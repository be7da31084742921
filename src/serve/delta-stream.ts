/**
 * Incremental ADS (DeltaAggregatedResources). Per type: the subscription and the versions the
 * client holds (seeded from initial_resource_versions on a reconnect). A response carries only
 * resources whose version differs from the client's, and removed_resources for names the
 * client holds that no longer exist (or that it just subscribed to and do not exist).
 * Subscription changes apply whatever nonce they carry; ACK/NACK bookkeeping needs the latest
 * nonce. A NACKed resource is not re-sent until its content changes.
 */
import * as grpc from '@grpc/grpc-js';
import type { ChangeSet } from '../model/change-set.js';
import type { XdsResource } from '../translate/types.js';
import { PUSH_ORDER, shortTypeName, TypeUrl } from '../translate/type-urls.js';
import type { ConnectionHandle, StreamError, StreamProtocol } from './connection.js';
import type { CachedResource, ResourceCache } from './resource-cache.js';
import { encodeDeltaResponse } from './response-encoding.js';
import type { DeltaRequest } from './service-definition.js';
import { inPushOrder, pushPlan, refreshAffected, resolveSubscription } from './subscription-resolver.js';
import { nextDeltaSubscription, WILDCARD, type Subscription } from './subscriptions.js';
import type { TypeStatus } from './types.js';
import { recordAckOrNack, typeStatus } from './ack-record.js';
import { NonceSource, setVersion } from './versions.js';

interface DeltaTypeState {
  sub: Subscription;
  /** Versions the client holds, as far as this stream knows. */
  readonly clientHas: Map<string, string>;
  /** The resources last sent and still held, for debug views. */
  readonly held: Map<string, CachedResource>;
  sent?: { version: string; nonce: string; at: string };
  ackedVersion?: string;
  nack?: { version: string; message: string };
}

interface Changes {
  readonly updated: readonly CachedResource[];
  readonly removed: readonly string[];
}

export class DeltaStream implements StreamProtocol<DeltaRequest> {
  readonly kind = 'delta' as const;
  private readonly types = new Map<string, DeltaTypeState>();
  private readonly nonces = new NonceSource();

  constructor(private readonly h: ConnectionHandle) {}

  typeUrlOf(req: DeltaRequest): string {
    return req.type_url ?? '';
  }

  check(req: DeltaRequest): StreamError | undefined {
    const max = this.h.limits.maxResourceNames;
    const counts: Array<[string, number]> = [
      ['resource_names_subscribe', req.resource_names_subscribe.length],
      ['resource_names_unsubscribe', req.resource_names_unsubscribe.length],
      ['initial_resource_versions', Object.keys(req.initial_resource_versions).length],
    ];
    for (const [field, n] of counts) if (n > max) return { code: grpc.status.RESOURCE_EXHAUSTED, message: `${field}: ${n} names for ${req.type_url}, at most ${max} allowed` };
    return undefined;
  }

  handle(req: DeltaRequest, cache: ResourceCache): void {
    const typeUrl = this.typeUrlOf(req);
    let state = this.types.get(typeUrl);
    const first = state === undefined;
    if (!state) {
      state = { sub: nextDeltaSubscription(typeUrl, undefined, [], []), clientHas: new Map(), held: new Map() };
      for (const [name, version] of Object.entries(req.initial_resource_versions)) if (typeof version === 'string') state.clientHas.set(name, version);
      this.types.set(typeUrl, state);
    }
    const nonce = req.response_nonce ?? '';
    if (nonce !== '' && state.sent?.nonce === nonce) recordAckOrNack(this.h, typeUrl, state, state.sent.version, req.error_detail);
    const { resource_names_subscribe: subscribe, resource_names_unsubscribe: unsubscribe } = req;
    if (!first && subscribe.length === 0 && unsubscribe.length === 0) return; // a plain ACK/NACK
    const sub = nextDeltaSubscription(typeUrl, first ? undefined : state.sub, subscribe, unsubscribe);
    if (sub.names.size > this.h.limits.maxResourceNames) {
      this.h.fail({ code: grpc.status.RESOURCE_EXHAUSTED, message: `subscribed to more than ${this.h.limits.maxResourceNames} ${shortTypeName(typeUrl)} resources` });
      return;
    }
    this.forgetUnsubscribed(state, sub, unsubscribe);
    state.sub = sub;
    this.respond(typeUrl, state, cache, subscribe.filter((n) => n !== WILDCARD));
  }

  push(cache: ResourceCache, changes: ChangeSet): void {
    for (const step of pushPlan(this.h, cache, changes, this.types.keys())) {
      const state = this.types.get(step.typeUrl)!;
      if (step.endpointsOnly) this.pushEndpoints(state, cache, changes);
      else this.respond(step.typeUrl, state, cache, undefined);
    }
  }

  typeStatuses(): TypeStatus[] {
    return inPushOrder(this.types.keys(), PUSH_ORDER).map((typeUrl) => {
      const s = this.types.get(typeUrl)!;
      return typeStatus(typeUrl, s.sub, s.sent, s, [...s.held.keys()].sort());
    });
  }

  sentResources(): Map<string, readonly XdsResource[]> {
    const out = new Map<string, readonly XdsResource[]>();
    for (const [typeUrl, s] of this.types) if (s.sent) out.set(typeUrl, [...s.held.values()].map((r) => r.resource));
    return out;
  }

  /** Unsubscribed names leave the client's cache, unless a wildcard still covers them. */
  private forgetUnsubscribed(state: DeltaTypeState, sub: Subscription, unsubscribe: readonly string[]): void {
    if (unsubscribe.includes(WILDCARD) && !sub.wildcard) {
      for (const name of [...state.clientHas.keys()]) if (!sub.names.has(name)) this.forget(state, name);
    }
    if (!sub.wildcard) for (const name of unsubscribe) this.forget(state, name);
  }

  private forget(state: DeltaTypeState, name: string): void {
    state.clientHas.delete(name);
    state.held.delete(name);
  }

  /** `subscribed` set: answer even if nothing changed, and report subscribed names that do not exist. */
  private respond(typeUrl: string, state: DeltaTypeState, cache: ResourceCache, subscribed: readonly string[] | undefined): void {
    const started = performance.now();
    const entries = resolveSubscription(this.h, cache, typeUrl, state.sub);
    if (!entries) return;
    const present = new Map(entries.map((e) => [e.name, e]));
    for (const e of entries) if (state.clientHas.get(e.name) === e.version) state.held.set(e.name, e);
    const updated = entries.filter((e) => state.clientHas.get(e.name) !== e.version);
    const removed = new Set([...state.clientHas.keys()].filter((n) => !present.has(n)));
    for (const n of subscribed ?? []) if (!present.has(n) && state.sub.names.has(n)) removed.add(n);
    this.send(typeUrl, state, { updated, removed: [...removed].sort() }, subscribed !== undefined, started);
  }

  private pushEndpoints(state: DeltaTypeState, cache: ResourceCache, changes: ChangeSet): void {
    const started = performance.now();
    const refresh = refreshAffected(this.h, cache, TypeUrl.ClusterLoadAssignment, state.sub, changes);
    if (!refresh) return;
    const updated = [...refresh.fresh.values()].filter((e) => state.clientHas.get(e.name) !== e.version);
    const removed = refresh.affected.filter((n) => !refresh.fresh.has(n) && state.clientHas.has(n));
    this.send(TypeUrl.ClusterLoadAssignment, state, { updated, removed }, false, started);
  }

  private send(typeUrl: string, state: DeltaTypeState, changes: Changes, force: boolean, started: number): void {
    if (!force && changes.updated.length === 0 && changes.removed.length === 0) return;
    for (const e of changes.updated) state.held.set(e.name, e);
    for (const n of changes.removed) state.held.delete(n);
    const version = setVersion(state.held.values());
    const nonce = this.nonces.take();
    const bytes = encodeDeltaResponse({
      typeUrl,
      systemVersionInfo: version,
      nonce,
      resources: changes.updated.map((e) => ({ name: e.name, version: e.version, any: e.any })),
      removed: changes.removed,
    });
    if (!this.h.send(typeUrl, bytes, started)) return;
    for (const e of changes.updated) state.clientHas.set(e.name, e.version);
    for (const n of changes.removed) state.clientHas.delete(n);
    state.sent = { version, nonce, at: new Date().toISOString() };
    this.h.log.debug({ type: shortTypeName(typeUrl), version, nonce, updated: changes.updated.length, removed: changes.removed.length, bytes: bytes.length }, 'ads delta response sent');
  }
}

/**
 * The ACK/NACK record of one type on one stream, shared by the SotW and delta protocols: the
 * last ACKed version, and the rejected version with the proxy's message. A NACK is counted
 * (pilot_total_xds_rejects) and logged; the proxy keeps its last good config.
 */
import { shortTypeName } from '../translate/type-urls.js';
import type { ConnectionHandle } from './connection.js';
import type { ErrorDetail } from './service-definition.js';
import { describeSubscription, type Subscription } from './subscriptions.js';
import type { TypeStatus } from './types.js';

/** Longest NACK message kept (it comes from the client). */
const MAX_NACK_MESSAGE = 4096;

export interface AckRecord {
  ackedVersion?: string;
  nack?: { version: string; message: string };
}

export interface SentRecord {
  readonly version: string;
  readonly nonce: string;
  readonly at: string;
}

/** Applies the answer to the response that carried `sentVersion`. */
export function recordAckOrNack(h: ConnectionHandle, typeUrl: string, record: AckRecord, sentVersion: string, errorDetail: ErrorDetail | undefined): void {
  if (errorDetail) {
    const message = String(errorDetail.message ?? '').slice(0, MAX_NACK_MESSAGE);
    record.nack = { version: sentVersion, message };
    h.metrics.rejected(shortTypeName(typeUrl));
    h.log.warn({ type: shortTypeName(typeUrl), version: sentVersion, ackedVersion: record.ackedVersion, error: message }, 'ads config rejected by proxy');
    return;
  }
  record.ackedVersion = sentVersion;
  record.nack = undefined;
}

/** The debug view of one type. */
export function typeStatus(typeUrl: string, sub: Subscription, sent: SentRecord | undefined, record: AckRecord, resourceNames: readonly string[]): TypeStatus {
  const subscribed = describeSubscription(sub);
  return {
    typeUrl,
    ...(subscribed ? { subscribed } : {}),
    ...(sent ? { sentVersion: sent.version, sentNonce: sent.nonce, sentAt: sent.at } : {}),
    ...(record.ackedVersion !== undefined ? { ackedVersion: record.ackedVersion } : {}),
    ...(record.nack ? { nackedVersion: record.nack.version, nackMessage: record.nack.message } : {}),
    resourceNames,
  };
}

/** Small builders for protobuf well-known types in the JSON shape translate/ emits. */
import { parseDuration } from '../../lib/duration.js';

export interface ProtoDuration {
  readonly seconds: number;
  readonly nanos: number;
}

const NANOS_PER_SECOND = 1_000_000_000n;

/** A Go-style duration string ("1.5s", "100ms") as google.protobuf.Duration; undefined when malformed or negative. */
export function protoDuration(text: string | undefined): ProtoDuration | undefined {
  if (text === undefined) return undefined;
  const ns = parseDuration(text);
  if (ns === undefined || ns < 0n) return undefined;
  return { seconds: Number(ns / NANOS_PER_SECOND), nanos: Number(ns % NANOS_PER_SECOND) };
}

export const ZERO_DURATION: ProtoDuration = Object.freeze({ seconds: 0, nanos: 0 });

export function uint32Value(value: number): { value: number } {
  return { value };
}

/** An Istio Percent (0..100, fractional) as envoy.type.v3.FractionalPercent per million, as Istio converts it. */
export function fractionalPercent(percent: number): { numerator: number; denominator: 'MILLION' } {
  return { numerator: Math.round(percent * 10000), denominator: 'MILLION' };
}

/** A whole-number percentage as FractionalPercent per hundred. */
export function integerPercent(percent: number): { numerator: number; denominator: 'HUNDRED' } {
  return { numerator: Math.trunc(percent), denominator: 'HUNDRED' };
}

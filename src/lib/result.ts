/** Expected failures are values, not exceptions (see DESIGN.md §3). */
export type Result<T, E> = { ok: true; value: T } | { ok: false; errors: E[] };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail<E>(...errors: E[]): { ok: false; errors: E[] } {
  return { ok: false, errors };
}

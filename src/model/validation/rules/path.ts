import { joinPath } from '../../../lib/issue.js';

/** at('spec.http', 0, 'route') → `spec.http[0].route` */
export function at(base: string, ...keys: (string | number)[]): string {
  return keys.reduce<string>((p, k) => joinPath(p, k), base);
}

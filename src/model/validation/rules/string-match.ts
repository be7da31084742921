/** StringMatch (`exact` | `prefix` | `regex`) as used in routes, CORS and claims. */
import { invalid, required, type ValidationIssue } from '../../../lib/issue.js';
import { isObj, type Obj } from './access.js';
import { validateRegex } from './regex.js';
import { joinPath } from '../../../lib/issue.js';

export interface StringMatchOptions {
  /** uri allows an empty prefix; scheme/method/authority/headers do not. */
  readonly allowEmptyPrefix?: boolean;
}

/** Returns the populated kind of a StringMatch, if any. */
export function matchKind(sm: Obj): 'exact' | 'prefix' | 'regex' | undefined {
  if (sm.regex !== undefined) return 'regex';
  if (sm.prefix !== undefined) return 'prefix';
  if (sm.exact !== undefined) return 'exact';
  return undefined;
}

export function validateStringMatch(path: string, sm: unknown, opts: StringMatchOptions = {}): ValidationIssue[] {
  if (!isObj(sm)) return [];
  const set = (['exact', 'prefix', 'regex'] as const).filter((k) => sm[k] !== undefined);
  if (set.length > 1) return [invalid(path, set.join(','), 'only one of exact, prefix or regex may be set')];
  if (set[0] === 'prefix' && sm.prefix === '' && !opts.allowEmptyPrefix) {
    return [invalid(joinPath(path, 'prefix'), '', 'prefix string match should not be empty')];
  }
  if (set[0] === 'regex') {
    const re = typeof sm.regex === 'string' ? sm.regex : '';
    if (re === '') return [required(joinPath(path, 'regex'), 'regex string match should not be empty')];
    return validateRegex(joinPath(path, 'regex'), re);
  }
  return [];
}

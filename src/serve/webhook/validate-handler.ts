/**
 * POST /validate: the same validator as `istiod-ts validate` and the config sources (CRD schema,
 * CEL rules, Istio's semantic rules), answering as Istio's validation webhook does:
 * - CREATE and UPDATE are validated; any other operation (DELETE, CONNECT) is allowed;
 * - objects labelled istio.io/rev for another revision are allowed unchecked (that revision's
 *   istiod validates them);
 * - an invalid object is refused with `configuration is invalid: <field path>: <reason>`;
 *   warnings become AdmissionResponse.warnings (kubectl prints them);
 * - kinds outside Istio's API groups are allowed (the webhook rules never send them).
 */
import { renderIssue } from '../../lib/issue.js';
import type { Logger } from '../../lib/logger.js';
import { lookupKind } from '../../model/kinds.js';
import type { Validator } from '../../model/validation/validate.js';
import { allow, deny, type AdmissionRequest, type AdmissionResponse } from './admission-review.js';
import type { ValidatedResource, WebhookMetrics } from './webhook-metrics.js';

export interface ValidateHandlerDeps {
  readonly validator: Validator;
  /** istio.io/rev this istiod serves; '' = default. */
  readonly revision: string;
  readonly metrics: WebhookMetrics;
  readonly logger: Logger;
}

const ISTIO_GROUP = /(^|\.)istio\.io$/;
/** At most this many issues in the message; kubectl shows the whole message on one line. */
const MAX_ISSUES_SHOWN = 10;

function revisionLabel(obj: unknown): string | undefined {
  const labels = (obj as { metadata?: { labels?: unknown } } | null)?.metadata?.labels;
  if (typeof labels !== 'object' || labels === null) return undefined;
  const rev = (labels as Record<string, unknown>)['istio.io/rev'];
  return typeof rev === 'string' ? rev : undefined;
}

function resourceOf(req: AdmissionRequest): ValidatedResource {
  return { group: req.kind.group, version: req.kind.version, resource: req.resource || `${req.kind.kind.toLowerCase()}s` };
}

function joinIssues(lines: string[]): string {
  const shown = lines.slice(0, MAX_ISSUES_SHOWN).join('; ');
  return lines.length > MAX_ISSUES_SHOWN ? `${shown}; and ${lines.length - MAX_ISSUES_SHOWN} more` : shown;
}

export function handleValidate(req: AdmissionRequest, deps: ValidateHandlerDeps): AdmissionResponse {
  const { metrics, logger } = deps;
  const resource = resourceOf(req);
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') {
    metrics.validationFailed(resource, 'unsupported_operation');
    return allow(req.uid);
  }
  const apiVersion = req.kind.group ? `${req.kind.group}/${req.kind.version}` : req.kind.version;
  const known = lookupKind(apiVersion, req.kind.kind);
  if (!known.ok || !known.info.istio) {
    if (!ISTIO_GROUP.test(req.kind.group)) return allow(req.uid);
    metrics.validationFailed(resource, 'unknown_type');
    return deny(req.uid, `unrecognized type ${req.kind.kind} (${apiVersion})`);
  }
  if (typeof req.object !== 'object' || req.object === null || Array.isArray(req.object)) {
    metrics.validationFailed(resource, 'yaml_decode_error');
    return deny(req.uid, 'cannot decode configuration: request.object must be an object');
  }
  const rev = revisionLabel(req.object);
  const ours = deps.revision || 'default';
  if (rev !== undefined && rev !== ours) {
    logger.debug({ uid: req.uid, kind: req.kind.kind, revision: rev }, 'object belongs to another revision; not validated here');
    return allow(req.uid);
  }
  const outcome = deps.validator.validate(req.object, { defaultNamespace: req.namespace || 'default' });
  const warnings = outcome.warnings.map(renderIssue);
  if (outcome.errors.length > 0) {
    metrics.validationFailed(resource, 'invalid_config');
    const object = `${outcome.ref.kind} ${outcome.ref.namespace}/${outcome.ref.name}`;
    logger.info({ uid: req.uid, object, errors: outcome.errors.length }, 'configuration refused');
    return deny(req.uid, `configuration is invalid: ${object}: ${joinIssues(outcome.errors.map(renderIssue))}`, 400, warnings);
  }
  metrics.validationPassed(resource);
  return allow(req.uid, warnings);
}

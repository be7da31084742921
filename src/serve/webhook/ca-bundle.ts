/**
 * What the caBundle patcher writes: for a Mutating/ValidatingWebhookConfiguration, the JSON
 * patch that sets `webhooks[i].clientConfig.caBundle` to the current roots on exactly the
 * webhooks that call istiod's Service in its namespace (a webhook someone added for another
 * service is left alone). Each change is guarded by a `test` of the webhook's name, so a
 * concurrent reorder makes the API server refuse the patch instead of writing the wrong entry.
 * Empty when everything is current: the patcher then writes nothing.
 */
export type CaBundlePatchOp =
  | { readonly op: 'test'; readonly path: string; readonly value: string }
  | { readonly op: 'add'; readonly path: string; readonly value: string };

export interface IstiodService {
  readonly name: string;
  readonly namespace: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function callsIstiod(webhook: Record<string, unknown>, service: IstiodService): boolean {
  const clientConfig = isObject(webhook.clientConfig) ? webhook.clientConfig : {};
  const svc = isObject(clientConfig.service) ? clientConfig.service : undefined;
  return svc !== undefined && svc.name === service.name && svc.namespace === service.namespace;
}

/** `caBundlePem`: the roots as PEM; the field holds them base64-encoded. */
export function caBundlePatch(config: unknown, caBundlePem: string, service: IstiodService): CaBundlePatchOp[] {
  if (!isObject(config) || !Array.isArray(config.webhooks)) return [];
  const wanted = Buffer.from(caBundlePem).toString('base64');
  const ops: CaBundlePatchOp[] = [];
  config.webhooks.forEach((webhook: unknown, i: number) => {
    if (!isObject(webhook) || typeof webhook.name !== 'string' || !callsIstiod(webhook, service)) return;
    const current = isObject(webhook.clientConfig) ? webhook.clientConfig.caBundle : undefined;
    if (current === wanted) return;
    ops.push({ op: 'test', path: `/webhooks/${i}/name`, value: webhook.name }, { op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value: wanted });
  });
  return ops;
}

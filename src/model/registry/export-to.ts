/** exportTo values: '*' (everyone), '.' (own namespace), '~' (no one) or namespace names. */

/** The `networking.istio.io/exportTo` annotation: comma-separated, blanks ignored. */
export function parseExportToAnnotation(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return items.length > 0 ? items : undefined;
}

/** Is something in `ownerNamespace`, exported to `exportTo`, visible from `clientNamespace`? */
export function isVisibleTo(exportTo: readonly string[], ownerNamespace: string, clientNamespace: string): boolean {
  for (const item of exportTo) {
    if (item === '*' || item === clientNamespace) return true;
    if (item === '.' && ownerNamespace === clientNamespace) return true;
  }
  return false;
}

/** Shared semantic checks used by the per-kind validators in ../semantic/. */
export * from './access.js';
export * from './hosts.js';
export * from './ip.js';
export * from './duration.js';
export * from './regex.js';
export * from './ports.js';
export * from './labels.js';
export * from './export-to.js';
export * from './headers.js';
export * from './gateway-refs.js';
export * from './string-match.js';
export * from './target-ref.js';
export * from './status.js';
export * from './destination.js';
export * from './path.js';

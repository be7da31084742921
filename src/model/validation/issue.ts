// Moved to src/lib/issue.ts (config/ needs it too); this re-export goes once all imports move.
export * from '../../lib/issue.js';

/** Reads `--meshConfig FILE` (or istiod's defaults). A bad file stops startup with every problem listed. */
import { readFile } from 'node:fs/promises';
import { defaultMeshConfig } from '../config/mesh-defaults.js';
import { parseMeshConfig } from '../config/mesh-config.js';
import type { MeshConfig } from '../config/mesh-types.js';
import { ErrorCodes, UserError } from '../lib/errors.js';
import { renderIssue } from '../lib/issue.js';

export async function loadMeshConfig(file: string | undefined): Promise<MeshConfig> {
  if (file === undefined) return defaultMeshConfig();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(ErrorCodes.MESHCONFIG_INVALID, `cannot read --meshConfig ${file}: ${(err as Error).message}`);
  }
  const parsed = parseMeshConfig(text, file);
  if (!parsed.ok) {
    const problems = parsed.errors.map((e) => `  ${renderIssue(e)}`).join('\n');
    throw new UserError(ErrorCodes.MESHCONFIG_INVALID, `invalid mesh config ${file}:\n${problems}`);
  }
  return parsed.value;
}

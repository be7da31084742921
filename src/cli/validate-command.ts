/**
 * `istiod-ts validate -f FILE|DIR ...`: the same parsing and validation the daemon applies to
 * --configDir, reported per document. Exit code 0 when everything is valid, 1 otherwise.
 */
import { readFile, stat } from 'node:fs/promises';
import { ErrorCodes } from '../lib/errors.js';
import { createValidator } from '../model/validation/validate.js';
import { ConfigFiles, type DocumentReport } from '../sources/file/config-files.js';
import { listManifests, MAX_FILE_BYTES } from '../sources/file/file-source.js';

export interface ValidateResult {
  readonly exitCode: 0 | 1;
  readonly output: string;
}

async function expand(paths: string[], files: ConfigFiles): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    try {
      out.push(...((await stat(p)).isDirectory() ? await listManifests(p) : [p]));
    } catch (err) {
      files.failFile(p, ErrorCodes.FILE_READ, `cannot read: ${(err as Error).message}`);
    }
  }
  return out;
}

async function load(file: string, files: ConfigFiles): Promise<void> {
  try {
    const size = (await stat(file)).size;
    if (size > MAX_FILE_BYTES) return files.failFile(file, ErrorCodes.FILE_TOO_LARGE, `file is ${size} bytes, over the ${MAX_FILE_BYTES}-byte limit`);
    files.applyFile(file, await readFile(file, 'utf8'));
  } catch (err) {
    files.failFile(file, ErrorCodes.FILE_READ, `cannot read: ${(err as Error).message}`);
  }
}

function renderText(reports: DocumentReport[], objects: number): string {
  const lines: string[] = [];
  for (const r of reports) {
    const where = `${r.file}#${r.index}${r.object ? ` ${r.object}` : ''}`;
    for (const e of r.errors) lines.push(`error: ${where}: ${e}`);
    for (const w of r.warnings) lines.push(`warning: ${where}: ${w}`);
  }
  const errors = reports.reduce((n, r) => n + r.errors.length, 0);
  lines.push(errors === 0 ? `${objects} object(s) valid` : `${errors} error(s); ${objects} valid object(s)`);
  return lines.join('\n') + '\n';
}

export async function runValidate(paths: string[], output: 'text' | 'json', domain: string): Promise<ValidateResult> {
  const files = new ConfigFiles(createValidator({ domain }), { upsert: () => undefined, remove: () => undefined });
  for (const file of await expand(paths, files)) await load(file, files);
  const reports = files.reports();
  const failed = reports.some((r) => r.errors.length > 0);
  const text = output === 'json'
    ? JSON.stringify({ valid: !failed, objects: files.objectCount(), documents: reports }, null, 2) + '\n'
    : renderText(reports, files.objectCount());
  return { exitCode: failed ? 1 : 0, output: text };
}

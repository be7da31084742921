/**
 * `--configDir`: loads every .yaml/.yml/.json below a directory and keeps watching it.
 * An edit, a new file or a deleted file reaches the store within a few hundred milliseconds.
 * All parsing/validation outcomes go through ConfigFiles; this file only does the I/O.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { ErrorCodes } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Validator } from '../../model/validation/validate.js';
import { ConfigFiles, type ConfigSink, type DocumentReport } from './config-files.js';

export const MAX_FILE_BYTES = 32 * 1024 * 1024;
/** Editors write files in several steps; wait this long after the last event for a path. */
const SETTLE_MS = 50;

export interface FileSourceOptions {
  readonly dir: string;
  readonly validator: Validator;
  readonly sink: ConfigSink;
  readonly logger: Logger;
  /** Watch for changes after the initial load (the `validate` command does not). */
  readonly watch: boolean;
}

export interface FileSource {
  /** Loads the directory once; resolves when every file has been read (the source is synced). */
  start(): Promise<void>;
  readonly synced: boolean;
  reports(): DocumentReport[];
  close(): Promise<void>;
}

export function isManifestFile(path: string): boolean {
  const base = path.split(sep).pop() ?? '';
  return !base.startsWith('.') && /\.(ya?ml|json)$/i.test(base);
}

export async function listManifests(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listManifests(full)));
    else if (isManifestFile(full)) out.push(full);
  }
  return out.sort();
}

export function createFileSource(opts: FileSourceOptions): FileSource {
  const files = new ConfigFiles(opts.validator, opts.sink);
  const log = opts.logger;
  const timers = new Map<string, NodeJS.Timeout>();
  let watcher: FSWatcher | undefined;
  let synced = false;

  const label = (file: string): string => relative(process.cwd(), file) || file;

  function logReports(reports: DocumentReport[]): void {
    for (const r of reports) {
      const fields = { code: r.code, file: label(r.file), document: r.index, object: r.object, keptLastGood: r.keptLastGood };
      if (r.errors.length > 0) log.warn({ ...fields, errors: r.errors }, 'config document rejected');
      if (r.warnings.length > 0) log.info({ ...fields, warnings: r.warnings }, 'config document has warnings');
    }
  }

  async function load(file: string): Promise<void> {
    try {
      const info = await stat(file);
      if (info.size > MAX_FILE_BYTES) {
        files.failFile(file, ErrorCodes.FILE_TOO_LARGE, `file is ${info.size} bytes, over the ${MAX_FILE_BYTES}-byte limit`);
      } else {
        logReports(files.applyFile(file, await readFile(file, 'utf8')));
        return;
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return files.removeFile(file);
      files.failFile(file, ErrorCodes.FILE_READ, `cannot read: ${(err as Error).message}`);
    }
    logReports(files.reports().filter((r) => r.file === file));
  }

  function schedule(file: string, action: () => Promise<void> | void): void {
    clearTimeout(timers.get(file));
    timers.set(
      file,
      setTimeout(() => {
        timers.delete(file);
        void Promise.resolve(action()).catch((err: unknown) => log.error({ err, file: label(file) }, 'file source failed to apply a change'));
      }, SETTLE_MS),
    );
  }

  async function startWatching(): Promise<void> {
    watcher = watch(opts.dir, { ignoreInitial: true, ignored: (p) => (p.split(sep).pop() ?? '').startsWith('.') && p !== opts.dir });
    const ready = new Promise<void>((resolve) => watcher!.once('ready', () => resolve()));
    watcher.on('add', (f) => isManifestFile(f) && schedule(f, () => load(f)));
    watcher.on('change', (f) => isManifestFile(f) && schedule(f, () => load(f)));
    watcher.on('unlink', (f) => isManifestFile(f) && schedule(f, () => files.removeFile(f)));
    watcher.on('unlinkDir', (d) => files.knownFiles().filter((f) => f.startsWith(d + sep)).forEach((f) => schedule(f, () => files.removeFile(f))));
    watcher.on('error', (err) => log.error({ err, code: ErrorCodes.FILE_READ }, 'config directory watch error'));
    await ready;
  }

  return {
    async start() {
      // Watch first, so that nothing written while the initial load runs is missed.
      if (opts.watch) await startWatching();
      const all = await listManifests(opts.dir);
      for (const file of all) await load(file);
      synced = true;
      log.info({ dir: label(opts.dir), files: all.length, objects: files.objectCount() }, 'config directory loaded');
    },
    get synced() {
      return synced;
    },
    reports: () => files.reports(),
    async close() {
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      await watcher?.close();
    },
  };
}

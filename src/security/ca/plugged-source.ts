/**
 * A plugged-in CA directory as a signer source: validated at start (an unusable bundle is a
 * startup error), then watched. A new valid bundle (new intermediate, new root) replaces the old
 * one; an invalid one is reported and the old one keeps signing.
 */
import { watch, type FSWatcher } from 'node:fs';
import { silentLogger, type Logger } from '../../lib/logger.js';
import { readBundleFiles, validateBundle, type BundleFiles } from './plugged-bundle.js';
import { ChangeListeners, loadSigner, type Signer, type SignerSource } from './signer.js';

export interface PluggedSourceOptions {
  readonly dir: string;
  readonly now: () => Date;
  readonly logger?: Logger;
  /** Files of one update rarely land at once: wait this long after the last change. Default 200 ms. */
  readonly debounceMs?: number;
  /** A safety net for missed watch events (network filesystems). Default 60 s; 0 disables. */
  readonly pollIntervalMs?: number;
  /** Told why a changed bundle was refused (the old one stays in use). */
  readonly onReloadError?: (err: Error) => void;
}

export type ReloadOutcome = 'unchanged' | 'reloaded' | 'refused';

export interface PluggedSource extends SignerSource {
  /** Re-reads the directory now (the watcher calls this too). */
  reload(): Promise<ReloadOutcome>;
  /** Why the last changed bundle was refused, if the last attempt failed. */
  lastReloadError(): Error | undefined;
}

export async function startPluggedSource(opts: PluggedSourceOptions): Promise<PluggedSource> {
  const log = opts.logger ?? silentLogger;
  let files = await readBundleFiles(opts.dir);
  let signer = loadSigner(validateBundle(opts.dir, files, opts.now()));
  let lastError: Error | undefined;
  const listeners = new ChangeListeners<Signer>();
  let running: Promise<ReloadOutcome> | undefined;

  async function reloadOnce(): Promise<ReloadOutcome> {
    try {
      const next = await readBundleFiles(opts.dir);
      if (sameFiles(next, files)) return 'unchanged';
      const nextSigner = loadSigner(validateBundle(opts.dir, next, opts.now()));
      files = next;
      signer = nextSigner;
      lastError = undefined;
      log.info({ dir: opts.dir, serial: signer.cert.serialNumber }, 'plugged-in CA bundle reloaded');
      listeners.emit(signer);
      return 'reloaded';
    } catch (err) {
      lastError = err as Error;
      log.warn({ dir: opts.dir, err: lastError.message }, 'plugged-in CA bundle change refused; still signing with the previous bundle');
      opts.onReloadError?.(lastError);
      return 'refused';
    }
  }

  /** One reload at a time; a request during a reload runs once more afterwards. */
  function reload(): Promise<ReloadOutcome> {
    const next = (running ?? Promise.resolve('unchanged' as ReloadOutcome)).then(reloadOnce);
    running = next;
    return next;
  }

  const stopWatching = watchDirectory(opts.dir, opts.debounceMs ?? 200, () => void reload(), log);
  const poll = (opts.pollIntervalMs ?? 60_000) > 0 ? setInterval(() => void reload(), opts.pollIntervalMs ?? 60_000) : undefined;
  poll?.unref();
  return {
    current: () => signer,
    onChange: (l) => listeners.add(l),
    reload,
    lastReloadError: () => lastError,
    async close() {
      stopWatching();
      if (poll) clearInterval(poll);
      await running;
    },
  };
}

function sameFiles(a: BundleFiles, b: BundleFiles): boolean {
  return a.format === b.format && a.certText === b.certText && a.keyText === b.keyText && a.chainText === b.chainText && a.rootText === b.rootText;
}

/** Watches the directory itself: Kubernetes updates a mounted Secret by swapping a symlink in it. */
function watchDirectory(dir: string, debounceMs: number, onChange: () => void, log: Logger): () => void {
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, { persistent: false }, () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
    });
    watcher.on('error', (err) => log.warn({ dir, err: err.message }, 'watching the CA directory failed; relying on polling'));
  } catch (err) {
    log.warn({ dir, err: (err as Error).message }, 'cannot watch the CA directory; relying on polling');
  }
  return () => {
    if (timer) clearTimeout(timer);
    watcher?.close();
  };
}

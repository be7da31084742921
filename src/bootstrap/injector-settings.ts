/**
 * The injector's settings (istio-sidecar-injector keys `config` and `values`), kept current as
 * istiod does: from files in --injectionDir (Istio's ./var/lib/istio/inject, where the
 * ConfigMap is mounted) when `<dir>/config` exists, otherwise from the ConfigMap itself in
 * istiod's namespace (the Kubernetes source's cache), otherwise the built-in defaults. Hot
 * reloaded; an invalid new version keeps the last good one and logs each field path.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { renderIssue } from '../lib/issue.js';
import type { Logger } from '../lib/logger.js';
import { defaultInjectorConfig, parseInjectorSettings, type InjectorSettings } from '../inject/injector-config.js';
import { defaultValues } from '../inject/values.js';
import type { KubeConfigMap } from '../sources/kubernetes/configmap-convert.js';
import type { ResourceCacheView } from '../sources/kubernetes/resource-cache.js';

export interface InjectorSettingsSource {
  current(): InjectorSettings;
  /** Where the current settings came from (logs, tests). */
  origin(): string;
  close(): void;
}

/** Istio's name: istio-sidecar-injector, or istio-sidecar-injector-<rev> for a named revision. */
export function injectorConfigMapName(revision: string | undefined): string {
  return !revision || revision === 'default' ? 'istio-sidecar-injector' : `istio-sidecar-injector-${revision}`;
}

const defaults = (): InjectorSettings => ({ config: defaultInjectorConfig(), values: defaultValues() });

function holder(log: Logger) {
  let settings = defaults();
  let from = 'built-in defaults';
  return {
    current: () => settings,
    origin: () => from,
    /** Applies a new version, or keeps the last good one when it is invalid. */
    offer(configText: string | undefined, valuesText: string | undefined, origin: string): void {
      const parsed = parseInjectorSettings(configText, valuesText);
      if (!parsed.ok) {
        log.error({ source: origin, keptFrom: from, errors: parsed.errors.map(renderIssue) }, 'injector config invalid; keeping the last good version');
        return;
      }
      settings = parsed.value;
      from = origin;
      log.info({ source: origin }, 'injector config loaded');
    },
    reset(origin: string): void {
      settings = defaults();
      from = origin;
      log.info({ source: origin }, 'injector config: built-in defaults');
    },
  };
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** True when `<dir>/config` exists: Istio then reads the files and ignores the ConfigMap. */
export async function injectionFilesPresent(dir: string): Promise<boolean> {
  return stat(join(resolve(dir), 'config')).then((s) => s.isFile(), () => false);
}

export async function watchInjectionFiles(dir: string, log: Logger): Promise<InjectorSettingsSource> {
  const root = resolve(dir);
  const h = holder(log);
  const load = async () => h.offer(await readOptional(join(root, 'config')), await readOptional(join(root, 'values')), `${root}/{config,values}`);
  await load();
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    // A mounted ConfigMap changes by swapping a symlink: any event in the directory reloads both files.
    watcher = watch(root, () => {
      clearTimeout(timer);
      timer = setTimeout(() => void load(), 100);
    });
    watcher.on('error', (err) => log.warn({ dir: root, err: err.message }, 'cannot watch the injection directory; changes need a restart'));
  } catch (err) {
    log.warn({ dir: root, err: (err as Error).message }, 'cannot watch the injection directory; changes need a restart');
  }
  return { current: h.current, origin: h.origin, close: () => (clearTimeout(timer), watcher?.close()) };
}

export function watchInjectorConfigMap(cache: ResourceCacheView<KubeConfigMap>, namespace: string, name: string, log: Logger): InjectorSettingsSource {
  const h = holder(log);
  const key = `${namespace}/${name}`;
  let lastVersion: string | undefined;
  const load = () => {
    const cm = cache.get(namespace, name);
    if (!cm) {
      if (lastVersion !== undefined) h.reset(`ConfigMap ${key} absent`);
      lastVersion = undefined;
      return;
    }
    const version = cm.metadata.resourceVersion ?? '';
    if (version === lastVersion && version !== '') return;
    lastVersion = version;
    h.offer(cm.data.get('config'), cm.data.get('values'), `ConfigMap ${key}@${version}`);
  };
  load();
  const unsubscribe = cache.onChange((keys) => {
    if (keys.includes(key)) load();
  });
  return { current: h.current, origin: h.origin, close: unsubscribe };
}

/**
 * `istiod-ts kube-inject -f FILE|-`: reads the manifest and the optional injector config, values
 * and mesh config files, injects offline (src/inject/kube-inject.ts) and writes the result to
 * stdout or -o FILE. Exit code 0 on success, 1 when a file cannot be read or injection fails.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { kubeInject, MAX_MANIFEST_BYTES } from '../inject/kube-inject.js';
import { loadInjectorSettings, loadMeshConfig } from '../inject/load-files.js';

export interface KubeInjectOptions {
  readonly filename: string;
  readonly output?: string;
  readonly injectConfigFile?: string;
  readonly meshConfigFile?: string;
  readonly valuesFile?: string;
  readonly revision?: string;
  readonly nativeSidecars: boolean;
}

export interface KubeInjectCommandResult {
  readonly exitCode: 0 | 1;
  readonly stdout: string;
  readonly stderr: string;
}

async function readInput(path: string, stdin: () => Promise<string>): Promise<string> {
  if (path === '-') return stdin();
  const size = (await stat(path)).size;
  if (size > MAX_MANIFEST_BYTES) throw new Error(`file is ${size} bytes, over the ${MAX_MANIFEST_BYTES}-byte limit`);
  return readFile(path, 'utf8');
}

async function optionalFile(path: string | undefined): Promise<{ name: string; text: string } | undefined> {
  return path === undefined ? undefined : { name: path, text: await readInput(path, async () => '') };
}

const failed = (lines: readonly string[]): KubeInjectCommandResult => ({ exitCode: 1, stdout: '', stderr: lines.map((l) => `error: ${l}\n`).join('') });

export async function runKubeInject(o: KubeInjectOptions, stdin: () => Promise<string>): Promise<KubeInjectCommandResult> {
  let manifest: string;
  let files: [Awaited<ReturnType<typeof optionalFile>>, Awaited<ReturnType<typeof optionalFile>>, Awaited<ReturnType<typeof optionalFile>>];
  try {
    manifest = await readInput(o.filename, stdin);
    files = [await optionalFile(o.injectConfigFile), await optionalFile(o.valuesFile), await optionalFile(o.meshConfigFile)];
  } catch (err) {
    return failed([`cannot read: ${(err as Error).message}`]);
  }
  const settings = loadInjectorSettings(files[0], files[1]);
  if (!settings.ok) return failed(settings.errors);
  const mesh = loadMeshConfig(files[2]);
  if (!mesh.ok) return failed(mesh.errors);
  const result = kubeInject(manifest, {
    settings: settings.value,
    meshConfig: mesh.value,
    nativeSidecars: o.nativeSidecars,
    ...(o.revision !== undefined ? { revision: o.revision } : {}),
  });
  if (!result.ok) return failed(result.errors.map((e) => `${o.filename === '-' ? '<stdin>' : o.filename}: ${e}`));
  const stderr = result.value.warnings.map((w) => `warning: ${w}\n`).join('');
  if (o.output === undefined) return { exitCode: 0, stdout: result.value.output, stderr };
  try {
    await writeFile(o.output, result.value.output);
  } catch (err) {
    return failed([`cannot write ${o.output}: ${(err as Error).message}`]);
  }
  return { exitCode: 0, stdout: '', stderr };
}

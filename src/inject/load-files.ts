/**
 * kube-inject's input files as text → settings. Each file may hold the bare document
 * (injector config, values, mesh config) or the whole ConfigMap it lives in
 * (istio-sidecar-injector with keys config/values, istio with key mesh).
 */
import { meshConfigFromConfigMap, parseMeshConfig, defaultMeshConfig } from '../config/mesh-config.js';
import type { MeshConfig } from '../config/mesh-types.js';
import { fail, ok, type Result } from '../lib/result.js';
import { renderIssue, type ValidationIssue } from '../lib/issue.js';
import { parseInjectorSettings, readYaml, type InjectorSettings } from './injector-config.js';
import { isObject } from './k8s.js';

function configMapData(text: string): Record<string, unknown> | undefined {
  const raw = readYaml(text, '<file>');
  if (!raw.ok || !isObject(raw.value) || raw.value.kind !== 'ConfigMap') return undefined;
  return isObject(raw.value.data) ? raw.value.data : {};
}

const render = (source: string) => (i: ValidationIssue): string => `${source}: ${renderIssue(i)}`;

export function loadInjectorSettings(configFile?: { name: string; text: string }, valuesFile?: { name: string; text: string }): Result<InjectorSettings, string> {
  let configText = configFile?.text;
  let valuesText = valuesFile?.text;
  const cm = configText !== undefined ? configMapData(configText) : undefined;
  if (cm) {
    configText = typeof cm.config === 'string' ? cm.config : undefined;
    if (valuesText === undefined && typeof cm.values === 'string') valuesText = cm.values;
  }
  const vm = valuesText !== undefined && valuesFile ? configMapData(valuesText) : undefined;
  if (vm) valuesText = typeof vm.values === 'string' ? vm.values : undefined;
  const settings = parseInjectorSettings(configText, valuesText);
  if (settings.ok) return ok(settings.value);
  return fail(...settings.errors.map((e) => render(e.path.startsWith('values') ? (valuesFile?.name ?? configFile?.name ?? '') : (configFile?.name ?? ''))(e)));
}

export function loadMeshConfig(file?: { name: string; text: string }): Result<MeshConfig, string> {
  if (!file) return ok(defaultMeshConfig());
  const cm = configMapData(file.text);
  const result = cm ? meshConfigFromConfigMap({ kind: 'ConfigMap', data: cm }, `${file.name} key mesh`) : parseMeshConfig(file.text, file.name);
  return result.ok ? ok(result.value) : fail(...result.errors.map(render(file.name)));
}

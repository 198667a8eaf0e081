// The subset of kustomize these manifests use — `resources` (files and kustomization directories)
// and `patches` as JSON 6902 operations on a {kind, name} target — so CI renders them with no
// kubectl. Anything else in a kustomization.yaml is refused rather than silently ignored; the test
// compares this rendering with `kubectl kustomize` where kubectl is installed.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [field: string]: unknown };
  [field: string]: unknown;
}

export interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  patches?: { target: { kind: string; name: string }; patch: string }[];
}

const supportedFields = new Set(['apiVersion', 'kind', 'resources', 'patches']);

/** Render the kustomization in `dir` to its objects. */
export function renderKustomization(dir: string): KubernetesObject[] {
  const kustomization = parseYaml(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
  const unsupported = Object.keys(kustomization).filter((field) => !supportedFields.has(field));
  if (unsupported.length > 0)
    throw new Error(`${dir}/kustomization.yaml: unsupported field(s) ${unsupported.join(', ')}`);

  const objects: KubernetesObject[] = [];
  for (const resource of kustomization.resources ?? []) {
    const path = join(dir, resource);
    objects.push(...(statSync(path).isDirectory() ? renderKustomization(path) : readObjects(path)));
  }
  for (const { target, patch } of kustomization.patches ?? []) {
    const matches = objects.filter((o) => o.kind === target.kind && o.metadata.name === target.name);
    if (matches.length !== 1)
      throw new Error(`${dir}: patch target ${target.kind}/${target.name} matches ${matches.length} objects`);
    applyJsonPatch(matches[0] as KubernetesObject, parseYaml(patch) as PatchOperation[]);
  }
  return objects;
}

function readObjects(path: string): KubernetesObject[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).map((document) => {
    if (document.errors.length > 0) throw new Error(`${path}: ${document.errors[0]?.message}`);
    return document.toJS() as KubernetesObject;
  });
}

/** RFC 6902 add / replace / remove; a path that does not exist is an error, as in kustomize. */
export function applyJsonPatch(target: object, operations: PatchOperation[]): void {
  for (const { op, path, value } of operations) {
    const keys = path
      .split('/')
      .slice(1)
      .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = keys.pop();
    if (last === undefined) throw new Error(`patch path ${path} names no field`);
    let parent: Record<string, unknown> = target as Record<string, unknown>;
    for (const key of keys) {
      const next = parent[key];
      if (typeof next !== 'object' || next === null) throw new Error(`patch path ${path}: no ${key}`);
      parent = next as Record<string, unknown>;
    }
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (op === 'add') parent.splice(index, 0, value);
      else if (!(index in parent)) throw new Error(`patch path ${path}: no element ${last}`);
      else if (op === 'replace') parent[index] = value;
      else parent.splice(index, 1);
    } else if (op === 'add') parent[last] = value;
    else if (!(last in parent)) throw new Error(`patch path ${path}: no ${last}`);
    else if (op === 'replace') parent[last] = value;
    else delete parent[last];
  }
}

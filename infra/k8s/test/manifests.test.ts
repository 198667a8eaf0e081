import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chunkQueueName } from '@frontline/queue';
import { projectRoot } from '@frontline/stack/paths';
import { describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { unknownFieldErrors } from './support/known-fields.js';
import {
  applyJsonPatch,
  type KubernetesObject,
  type PatchOperation,
  renderKustomization,
} from './support/kustomize.js';
import { findExecutable } from './support/programs.js';
import { validateObject } from './support/schemas.js';

const k8sDir = fileURLToPath(new URL('..', import.meta.url));
const kustomizations = {
  base: join(k8sDir, 'base'),
  ...Object.fromEntries(
    readdirSync(join(k8sDir, 'overlays')).map((name) => [`overlays/${name}`, join(k8sDir, 'overlays', name)]),
  ),
};

type Container = {
  name: string;
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: Record<string, Record<string, string>> }[];
  readinessProbe?: { httpGet?: { path: string; port: string } };
  livenessProbe?: { httpGet?: { path: string; port: string } };
  ports?: { name: string; containerPort: number }[];
  resources?: { requests?: Record<string, string> };
};
type PodSpec = { containers: Container[]; terminationGracePeriodSeconds?: number };

const find = (objects: KubernetesObject[], kind: string, name: string) => {
  const object = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!object) throw new Error(`no ${kind}/${name}`);
  return object as KubernetesObject & { spec: Record<string, unknown> & { template: { spec: PodSpec } } };
};
const podSpec = (objects: KubernetesObject[], kind: string, name: string) =>
  find(objects, kind, name).spec.template.spec;
const container = (spec: PodSpec) => spec.containers[0] as Container;
const envValue = (c: Container, name: string) => c.env?.find((e) => e.name === name);

/** The variables an app's env.ts schema declares (its zod object's keys). */
function declaredEnv(app: 'api' | 'worker'): Set<string> {
  const source = readFileSync(join(projectRoot, 'apps', app, 'src', 'env.ts'), 'utf8');
  return new Set([...source.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1] as string));
}

describe.each(Object.entries(kustomizations))('kustomization %s', (_label, dir) => {
  const objects = renderKustomization(dir);

  test('every object is valid against the Kubernetes API schemas (KEDA: its CRD schema)', () => {
    const errors = objects.flatMap((object) => {
      try {
        validateObject(object);
        return [];
      } catch (error) {
        return [(error as Error).message];
      }
    });
    expect(errors).toEqual([]);
    expect(objects.length).toBeGreaterThanOrEqual(8);
  });

  test('no object has a field its kind does not define (a misspelt name fails)', () => {
    expect(unknownFieldErrors(objects)).toEqual([]);
  });

  test.skipIf(!findExecutable('kubectl'))('renders exactly as `kubectl kustomize` does', () => {
    const rendered = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
    const key = (o: KubernetesObject) => `${o.kind}/${o.metadata.name}`;
    const byKey = (list: KubernetesObject[]) => Object.fromEntries(list.map((o) => [key(o), o]));
    const fromKubectl = rendered.split(/^---$/m).map((doc) => parseYaml(doc) as KubernetesObject);
    expect(byKey(objects)).toEqual(byKey(fromKubectl));
  });

  test('the API: readiness /readyz and liveness /healthz on its port; env it reads', () => {
    const api = container(podSpec(objects, 'Deployment', 'frontline-api'));
    const port = api.ports?.find((p) => p.name === 'http')?.containerPort;
    expect(api.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(api.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(envValue(api, 'API_PORT')?.value).toBe(String(port));
    expect(envValue(api, 'API_HOST')?.value).toBe('0.0.0.0');
    const declared = declaredEnv('api');
    expect(api.env?.map((e) => e.name).filter((name) => !declared.has(name))).toEqual([]);
    const service = find(objects, 'Service', 'frontline-api');
    expect(service.spec.selector).toEqual({ 'app.kubernetes.io/name': 'frontline-api' });
  });

  test('the worker: threads follow its CPU request; termination grace covers a chunk', () => {
    const spec = podSpec(objects, 'Deployment', 'frontline-worker');
    const worker = container(spec);
    expect(envValue(worker, 'WORKER_THREADS')?.valueFrom?.resourceFieldRef).toEqual({
      containerName: worker.name,
      resource: 'requests.cpu',
      divisor: '1',
    });
    // Whole cores, so the downward API's rounding up gives exactly the request.
    expect(worker.resources?.requests?.cpu).toMatch(/^[1-9][0-9]*$/);
    const chunkTimeoutMs = Number(envValue(worker, 'CHUNK_TIMEOUT_MS')?.value);
    const shutdownGraceMs = Number(envValue(worker, 'SHUTDOWN_GRACE_MS')?.value);
    expect(shutdownGraceMs).toBeGreaterThanOrEqual(chunkTimeoutMs);
    // The worker's shutdown manager gives up SHUTDOWN_GRACE_MS + 5 s after SIGTERM (apps/worker main.ts).
    expect((spec.terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThan(shutdownGraceMs + 5_000);
    expect(worker.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(envValue(worker, 'WORKER_HOST')?.value).toBe('0.0.0.0');
    const declared = declaredEnv('worker');
    expect(worker.env?.map((e) => e.name).filter((name) => !declared.has(name))).toEqual([]);
  });

  test('every secretKeyRef names a key of the rendered Secret', () => {
    const secret = find(objects, 'Secret', 'frontline-connections') as unknown as {
      stringData: Record<string, string>;
    };
    const refs = JSON.stringify(objects).matchAll(/"secretKeyRef":\{"name":"([^"]+)","key":"([^"]+)"\}/g);
    const missing = [...refs]
      .map(([, name, key]) => `${name}/${key}`)
      .filter(
        (ref) =>
          !(ref.startsWith('frontline-connections/') && (ref.split('/')[1] as string) in secret.stringData),
      );
    expect(missing).toEqual([]);
    expect(Object.keys(secret.stringData)).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'MIGRATE_DATABASE_URL', 'REDIS_URL']),
    );
  });

  test('the migrations Job runs migrate-cli as the owner and sets the app role password', () => {
    const job = container(podSpec(objects, 'Job', 'frontline-migrate'));
    expect(job.command).toEqual(['node', 'dist/migrate-cli.js']);
    expect(envValue(job, 'DATABASE_URL')?.valueFrom?.secretKeyRef?.key).toBe('MIGRATE_DATABASE_URL');
    expect(envValue(job, 'APP_DATABASE_URL')?.valueFrom?.secretKeyRef?.key).toBe('DATABASE_URL');
  });

  test('PodDisruptionBudgets select the pods of a Deployment', () => {
    const budgets = objects.filter((o) => o.kind === 'PodDisruptionBudget') as unknown as {
      spec: { selector: { matchLabels: Record<string, string> } };
    }[];
    expect(budgets.map((b) => b.spec.selector.matchLabels['app.kubernetes.io/name']).sort()).toEqual([
      'frontline-api',
      'frontline-worker',
    ]);
  });

  test('workers scale on the chunk queue backlog (waiting incl. prioritized, plus running)', () => {
    const scaled = find(objects, 'ScaledObject', 'frontline-worker') as unknown as {
      spec: {
        scaleTargetRef: { name: string };
        triggers: { type: string; metadata: Record<string, string> }[];
      };
    };
    expect(scaled.spec.scaleTargetRef.name).toBe('frontline-worker');
    const [trigger] = scaled.spec.triggers;
    expect(trigger?.type).toBe('prometheus');
    expect(trigger?.metadata.query).toContain(`queue="${chunkQueueName}"`);
    expect(trigger?.metadata.query).toContain('state=~"waiting|active"');
  });
});

describe('validation rejects broken objects', () => {
  const objects = renderKustomization(kustomizations.base);
  const broken = (kind: string, name: string, operation: PatchOperation) => {
    const object = structuredClone(find(objects, kind, name));
    applyJsonPatch(object, [operation]);
    return () => validateObject(object);
  };

  test('a CPU request that is not a quantity', () => {
    const cpu = '/spec/template/spec/containers/0/resources/requests/cpu';
    expect(
      broken('Deployment', 'frontline-worker', { op: 'replace', path: cpu, value: 'two cores' }),
    ).toThrow(/Deployment frontline-worker: .*requests\/cpu must match format "quantity"/);
  });

  test('a Service port given as a word', () => {
    const port = '/spec/ports/0/port';
    expect(broken('Service', 'frontline-api', { op: 'replace', path: port, value: 'eighty' })).toThrow(
      /Service frontline-api: .*ports\/0\/port must be integer/,
    );
  });

  test('a ScaledObject whose trigger lost its type (KEDA CRD schema)', () => {
    expect(
      broken('ScaledObject', 'frontline-worker', { op: 'remove', path: '/spec/triggers/0/type' }),
    ).toThrow(/ScaledObject frontline-worker: .*triggers\/0 must have required property type/);
  });

  test('misspelt field names, in a core object and in the ScaledObject', () => {
    const api = structuredClone(find(objects, 'Deployment', 'frontline-api'));
    applyJsonPatch(api, [{ op: 'add', path: '/spec/template/spec/containers/0/readynessProbe', value: {} }]);
    const scaled = structuredClone(find(objects, 'ScaledObject', 'frontline-worker'));
    applyJsonPatch(scaled, [{ op: 'add', path: '/spec/maxReplicaCont', value: 3 }]);
    expect(unknownFieldErrors([api, scaled])).toEqual([
      `Deployment/frontline-api: Object literal may only specify known properties, and '"readynessProbe"' does not exist in type 'IContainer'.`,
      `ScaledObject/frontline-worker: Object literal may only specify known properties, and '"maxReplicaCont"' does not exist in type 'IScaledObjectSpec'.`,
    ]);
  });

  test('a kind without a schema, and a patch of a path that does not exist', () => {
    expect(() =>
      validateObject({ apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'x' } }),
    ).toThrow('apps/v1/Deploymnet x: no schema known for this kind');
    const worker = structuredClone(find(objects, 'Deployment', 'frontline-worker'));
    expect(() =>
      applyJsonPatch(worker, [
        { op: 'replace', path: '/spec/template/spec/containers/0/resourses', value: {} },
      ]),
    ).toThrow('patch path /spec/template/spec/containers/0/resourses: no resourses');
  });
});

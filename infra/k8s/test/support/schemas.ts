// Validation of rendered objects against the Kubernetes API schemas (kubernetes-models: the
// OpenAPI definitions of the API server, compiled with ajv) and KEDA's CRD schema.
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Secret, Service } from 'kubernetes-models/v1';
import type { KubernetesObject } from './kustomize.js';

type Validatable = { validate(): void };
const models: Record<string, new (data: never) => Validatable> = {
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
};

/** Throws, naming the object and the failing fields, unless `object` matches its kind's schema. */
export function validateObject(object: KubernetesObject): void {
  const type = `${object.apiVersion}/${object.kind}`;
  const Model = models[type];
  if (!Model) throw new Error(`${type} ${object.metadata.name}: no schema known for this kind`);
  try {
    new Model(structuredClone(object) as never).validate();
  } catch (error) {
    throw new Error(`${type} ${object.metadata.name}: ${(error as Error).message}`);
  }
}

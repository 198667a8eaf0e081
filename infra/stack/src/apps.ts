import { projectRoot } from './paths.js';
import { type LineSink, ManagedProcess } from './process-group.js';

export interface AppSpec {
  /** e.g. 'api', 'worker-1'. */
  name: string;
  /** TypeScript entry, run as live source through tsx (no build needed). */
  entry: string;
  env: NodeJS.ProcessEnv;
  onLine?: LineSink;
}

/** Node flags that run workspace packages from source, as everywhere in dev and tests. */
export const sourceNodeFlags = ['--conditions=@frontline/source', '--import', 'tsx'] as const;

/** Start one of our Node apps (API, worker) in its own process group, from the project root. */
export function startApp(spec: AppSpec): Promise<ManagedProcess> {
  return ManagedProcess.spawn(spec.name, process.execPath, [...sourceNodeFlags, spec.entry], {
    cwd: projectRoot,
    env: spec.env,
    onLine: spec.onLine,
  });
}

// Worker bootstrap: on Node 20, `--import tsx` in a Worker's execArgv is not applied to the worker's
// entry module, so register the tsx loader explicitly, then load the TypeScript entry.
import { register } from 'tsx/esm/api';

register();
await import('./worker-entry.ts');

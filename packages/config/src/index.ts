export { resolveCodeVersion } from './code-version.js';
export { EnvError, parseEnv } from './env.js';
export { readStackFile, type StackFile, type StackFileLookup, stackFilePath } from './stack-file.js';

export { codeVersion } from './code-version.js';
export { EnvError, parseEnv } from './env.js';
export { readStackFile, type StackFile, stackFilePath } from './stack-file.js';

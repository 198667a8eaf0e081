// Field names the API server would refuse. The compiled schemas of kubernetes-models check types,
// formats and required fields but let unknown fields through (the API server prunes or, with
// kubectl's default --validate=strict, rejects them), so a misspelt `readynessProbe` would pass.
// TypeScript's excess-property check on object literals, typed with the same package's interfaces
// (KEDA's from its CRD), is exactly that check: each object becomes `const o: IKind = {…}`.
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { KubernetesObject } from './kustomize.js';

const modelModules: Record<string, string> = {
  'keda.sh/v1alpha1': '@kubernetes-models/keda/keda.sh/v1alpha1',
};
const moduleOf = (apiVersion: string) => modelModules[apiVersion] ?? `kubernetes-models/${apiVersion}`;

/** One message per unknown or mistyped field, naming the object; empty when all are known. */
export function unknownFieldErrors(objects: KubernetesObject[]): string[] {
  // Beside this file, so module resolution finds infra/k8s/node_modules.
  const file = fileURLToPath(new URL('./rendered-objects.generated.ts', import.meta.url));
  const declarations: { name: string; start: number; end: number }[] = [];
  let text = '';
  objects.forEach((object, index) => {
    text += `import type { I${object.kind} as T${index} } from '${moduleOf(object.apiVersion)}';\n`;
  });
  objects.forEach((object, index) => {
    const start = text.length;
    text += `export const o${index}: T${index} = ${JSON.stringify(object, null, 1)};\n`;
    declarations.push({ name: `${object.kind}/${object.metadata.name}`, start, end: text.length });
  });

  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, version, ...rest) =>
    name === file ? ts.createSourceFile(name, text, version) : getSourceFile(name, version, ...rest);
  host.fileExists = (name) => name === file || fileExists(name);
  host.readFile = (name) => (name === file ? text : readFile(name));
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (diagnostic.file?.fileName !== file || diagnostic.start === undefined) return message;
    const at = diagnostic.start;
    const object = declarations.find((d) => at >= d.start && at < d.end);
    return `${object?.name ?? 'imports'}: ${message}`;
  });
}

import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';

/** A relative path in a source file that leaves the package the file belongs to. */
export interface BoundaryViolation {
  file: string;
  line: number;
  specifier: string;
}

/**
 * The relative paths a module reaches for: static and dynamic imports, re-exports, `require`,
 * `vi.mock`, and `new URL('…', import.meta.url)` (how files and entry points are located at run time).
 */
export function relativeSpecifiers(fileName: string, text: string): { specifier: string; line: number }[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const found: { specifier: string; line: number }[] = [];
  const add = (node: ts.Node | undefined) => {
    if (node && ts.isStringLiteralLike(node) && node.text.startsWith('.')) {
      found.push({
        specifier: node.text,
        line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1,
      });
    }
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const named = callee.getText(source);
      if (
        callee.kind === ts.SyntaxKind.ImportKeyword ||
        ['require', 'vi.mock', 'vi.importActual'].includes(named)
      )
        add(node.arguments[0]);
    } else if (ts.isNewExpression(node) && node.expression.getText(source) === 'URL') {
      const base = node.arguments?.[1];
      if (base && base.getText(source) === 'import.meta.url') add(node.arguments?.[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Relative paths in `file` (inside `packageRoot`) that resolve outside `packageRoot`. */
export function crossPackagePaths(packageRoot: string, file: string, text: string): BoundaryViolation[] {
  return relativeSpecifiers(file, text)
    .filter(({ specifier }) => {
      const target = relative(packageRoot, resolve(dirname(file), specifier));
      return target === '..' || target.startsWith('../') || resolve(target) === target;
    })
    .map(({ specifier, line }) => ({ file, line, specifier }));
}

/**
 * A bench's figures in docs/benchmarks.md: written only between the bench's two markers in its section, so
 * what is kept by hand around them (dated runs, what was tried) survives a run. Rewriting the whole section,
 * as the benches did, deleted ~330 lines of "Survival tables" history on every `pnpm bench`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '@frontline/stack';

const benchmarksFile = join(projectRoot, 'docs', 'benchmarks.md');

/** The markers around a bench's figures (HTML comments: Markdown shows neither). */
export function benchMarkers(bench: string): { begin: string; end: string } {
  return {
    begin: `<!-- ${bench}: written by the bench, from here to its end marker; keep notes outside -->`,
    end: `<!-- ${bench}: end -->`,
  };
}

/**
 * `doc` with `figures` between the bench's markers: in place of what they held, else right under
 * `heading` (a line of its own), else in a new section at the end. Nothing else in `doc` changes.
 */
export function withBenchFigures(doc: string, heading: string, bench: string, figures: string): string {
  const { begin, end } = benchMarkers(bench);
  const block = `${begin}\n\n${figures.trim()}\n\n${end}`;
  const from = doc.indexOf(begin);
  if (from !== -1) {
    const to = doc.indexOf(end, from + begin.length);
    if (to === -1) throw new Error(`docs/benchmarks.md: "${begin}" has no "${end}" after it`);
    return `${doc.slice(0, from)}${block}${doc.slice(to + end.length)}`;
  }
  // Where the heading's line starts (the leading newline finds one on the first line too).
  const headingAt = `\n${doc}`.indexOf(`\n${heading}\n`);
  if (headingAt === -1) return `${doc.trimEnd()}\n\n${heading}\n\n${block}\n`;
  const lineEnd = headingAt + heading.length;
  return `${doc.slice(0, lineEnd)}\n\n${block}${doc.slice(lineEnd)}`;
}

/** Write a bench's figures into docs/benchmarks.md (withBenchFigures); `log` says where. */
export function writeBenchFigures(
  heading: string,
  bench: string,
  figures: string,
  log: (line: string) => void,
): void {
  const doc = readFileSync(benchmarksFile, 'utf8');
  writeFileSync(benchmarksFile, withBenchFigures(doc, heading, bench, figures));
  log(`wrote ${bench}'s figures under "${heading}" in ${benchmarksFile}`);
}

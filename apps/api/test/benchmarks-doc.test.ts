import { describe, expect, it } from 'vitest';
import { benchMarkers, withBenchFigures } from '../bench/benchmarks-doc.js';

const heading = '## Survival tables: storage and read cost (issue 13)';
const { begin, end } = benchMarkers('bench:tallies');

// A section as kept by hand: dated runs and notes the bench must never touch.
const doc = `# Benchmarks

## Survival endpoint

Its figures.

${heading}

**Morning of 2026-12-05**: a dated run kept by hand, | with a table | row |.

**Evening of 2026-12-04**: another.

## Exports

More.
`;

describe('withBenchFigures', () => {
  it('puts the figures right under the heading the first time, the rest unchanged', () => {
    const next = withBenchFigures(doc, heading, 'bench:tallies', '| a | b |\n|---|---|\n| 1 | 2 |\n');
    const [before, after] = doc.split(`${heading}\n`);
    expect(next).toBe(
      `${before}${heading}\n\n${begin}\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n${end}\n${after}`,
    );
  });

  it('replaces only what its markers hold, keeping the notes around them byte for byte', () => {
    const once = withBenchFigures(doc, heading, 'bench:tallies', 'first run: 198.9 B');
    const noted = once.replace(`${end}\n`, `${end}\n\nA note added by hand after the first run.\n`);
    const twice = withBenchFigures(noted, heading, 'bench:tallies', 'second run: 198.7 B');
    expect(twice).toBe(noted.replace('first run: 198.9 B', 'second run: 198.7 B'));
    expect(twice).toContain('A note added by hand after the first run.');
    expect(twice).toContain('**Evening of 2026-12-04**: another.');
    expect(twice.split(begin)).toHaveLength(2);
  });

  it('keeps each bench to its own markers', () => {
    const both = withBenchFigures(
      withBenchFigures(doc, heading, 'bench:tallies', 'tallies figures'),
      '## Survival endpoint',
      'bench:survival',
      'survival figures',
    );
    const again = withBenchFigures(both, heading, 'bench:tallies', 'new tallies figures');
    expect(again).toBe(both.replace('tallies figures', 'new tallies figures'));
    expect(again.indexOf('survival figures')).toBeLessThan(again.indexOf(heading));
  });

  it('finds the heading on the first line, and only as a whole line', () => {
    const first = `${heading}\n\nNotes.\n`;
    expect(withBenchFigures(first, heading, 'bench:tallies', 'x')).toBe(
      `${heading}\n\n${begin}\n\nx\n\n${end}\n\nNotes.\n`,
    );
    // The heading's text inside a longer line is not the heading: a new section is added at the end.
    const mentioned = `# Benchmarks\n\nSee ${heading} below.\n`;
    expect(withBenchFigures(mentioned, heading, 'bench:tallies', 'x')).toBe(
      `${mentioned.trimEnd()}\n\n${heading}\n\n${begin}\n\nx\n\n${end}\n`,
    );
  });

  it('refuses a begin marker without its end rather than cutting the rest of the file', () => {
    const broken = `${heading}\n\n${begin}\n\nold figures\n\n## Exports\n`;
    expect(() => withBenchFigures(broken, heading, 'bench:tallies', 'x')).toThrow(/has no .*end/);
  });
});

/**
 * How a multi-host run's exported outcomes compare with the one-host run of the same sweep, as a
 * multiset of whole rows (pointIndex, axis values and every outcome field; the export orders each
 * point's rows by patient): a row the one-host run has and this run lacks is lost, one it has more
 * often is duplicated, one it does not have at all is unexpected (a changed value counts as one lost
 * and one unexpected).
 */
export interface OutcomeComparison {
  expected: number;
  stored: number;
  lost: number;
  duplicated: number;
  unexpected: number;
}

function rowCounts(ndjson: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of ndjson.split('\n')) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as Record<string, unknown>;
    // Columns in a fixed order, so equal rows give equal strings whatever the key order.
    const canonical = JSON.stringify(
      Object.keys(row)
        .sort()
        .map((name) => [name, row[name]]),
    );
    counts.set(canonical, (counts.get(canonical) ?? 0) + 1);
  }
  return counts;
}

export function compareOutcomes(referenceNdjson: string, actualNdjson: string): OutcomeComparison {
  const reference = rowCounts(referenceNdjson);
  const actual = rowCounts(actualNdjson);
  const total = (counts: Map<string, number>) => [...counts.values()].reduce((sum, n) => sum + n, 0);
  const comparison = {
    expected: total(reference),
    stored: total(actual),
    lost: 0,
    duplicated: 0,
    unexpected: 0,
  };
  for (const [row, expected] of reference) comparison.lost += Math.max(0, expected - (actual.get(row) ?? 0));
  for (const [row, stored] of actual) {
    const expected = reference.get(row) ?? 0;
    if (expected === 0) comparison.unexpected += stored;
    else comparison.duplicated += Math.max(0, stored - expected);
  }
  return comparison;
}

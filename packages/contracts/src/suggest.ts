/**
 * "Did you mean …?" for names a user typed: the known name at the smallest Damerau–Levenshtein
 * distance (optimal string alignment: insert, delete, substitute, swap two neighbours).
 */

/** Edits that turn `a` into `b`; case differences cost nothing (`immunekill` → `immuneKill` is 0). */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const rows = s.length + 1;
  const cols = t.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[s.length]![t.length]!;
}

/**
 * The closest known name, if it is close enough to be what was meant: at most a third of the
 * typed name's length in edits (and at least 1), ties going to the earlier known name.
 */
export function closestName(typed: string, known: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(typed.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of known) {
    const distance = editDistance(typed, name);
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** Where users find every parameter name, with its unit and range. */
export const parameterCatalogueHint = 'see GET /v1/model/parameters or `frontline params`';

/** The rule for a name that is not a model parameter: the closest name, and where the list is. */
export function unknownParameterRule(typed: string, known: Iterable<string>): string {
  const suggestion = closestName(typed, known);
  return `unknown parameter${suggestion ? ` (did you mean \`${suggestion}\`?)` : ''}; ${parameterCatalogueHint}`;
}

/** Linear-interpolation quantile of sorted values (R's type 7). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

/**
 * Colour domain of a heatmap from its finite values only (NR and pending cells have their own colour),
 * clipped to the 2nd–98th percentile so one outlier does not wash out the rest; values outside are
 * clamped to the ends. Null when no value is finite; widened around a single value.
 */
export function colourDomain(
  values: readonly (number | null)[],
  lower = 0.02,
  upper = 0.98,
): [number, number] | null {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return null;
  const low = quantile(finite, lower);
  const high = quantile(finite, upper);
  if (high > low) return [low, high];
  const pad = Math.max(Math.abs(low) * 0.05, 1e-9);
  return [low - pad, high + pad];
}

/** About `count` round ticks (1, 2 or 5 × 10^k apart) inside the domain. */
export function legendTicks([low, high]: [number, number], count = 5): number[] {
  const raw = (high - low) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const ticks: number[] = [];
  for (let k = Math.ceil(low / step); k * step <= high + step * 1e-9; k++)
    ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

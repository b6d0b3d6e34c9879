// Medians, spreads and ratios of samples.

export function quantile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * p;
  const lo = Math.floor(at), hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** n, median, p25, p75, min, max of `samples`. */
export function summary(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return {
    n: s.length,
    median: quantile(s, 0.5),
    p25: quantile(s, 0.25),
    p75: quantile(s, 0.75),
    min: s[0],
    max: s[s.length - 1],
  };
}

/**
 * ours / floor: the ratio of the medians, with the p25-p75 of the per-repetition ratios
 * (repetition i of each ran back to back) as its spread.
 */
export function ratio(ours, floor) {
  const paired = ours.slice(0, Math.min(ours.length, floor.length)).map((x, i) => x / floor[i]);
  const p = summary(paired);
  return { value: summary(ours).median / summary(floor).median, pairedMedian: p.median, p25: p.p25, p75: p.p75 };
}

/** Per-key medians of an array of objects of numbers. */
export function medians(rows) {
  const out = {};
  for (const key of Object.keys(rows[0] ?? {})) out[key] = summary(rows.map((r) => r[key])).median;
  return out;
}

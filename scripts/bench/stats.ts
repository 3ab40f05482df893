/** Nearest-rank percentile of a sample (0 for an empty one); the benchmarks quote these. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export const median = (values: readonly number[]) => percentile(values, 50);

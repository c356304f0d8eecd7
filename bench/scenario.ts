/**
 * One row of the benchmark's results: a figure of Reelay's beside a baseline measured in the
 * same run on the same machine. Machines here are shared and noisy, so only ratios are compared.
 */
export interface BenchRow {
  readonly scenario: string;
  readonly metric: string;
  readonly unit: string;
  readonly reelay: Stats;
  readonly baseline?: Stats;
  /** reelay / baseline of the medians, oriented so that higher is better for Reelay when `higherIsBetter`. */
  readonly ratio?: number;
  readonly goal?: string;
}

export interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly rounds: number;
}

export interface Scenario {
  readonly name: string;
  run(): Promise<BenchRow[]>;
}

export function stats(values: readonly number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN, rounds: sorted.length };
}

/**
 * `npm run bench [-- scenario …]`: runs the benchmark scenarios against real services, prints a
 * table and writes bench/results.json. Figures are reported, never asserted.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BenchRow, Scenario } from './scenario';
import { freshness } from './scenarios/freshness';
import { intake } from './scenarios/intake';
import { manyAtOnce } from './scenarios/manyAtOnce';
import { polling } from './scenarios/polling';
import { replay } from './scenarios/replay';
import { statusReads } from './scenarios/statusReads';
import { uploadJourney } from './scenarios/uploadJourney';

const SCENARIOS: readonly Scenario[] = [uploadJourney, intake, manyAtOnce, statusReads, polling, replay, freshness];

function format(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '—';
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2);
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const chosen = wanted.length ? SCENARIOS.filter((s) => wanted.includes(s.name)) : SCENARIOS;
  const rows: BenchRow[] = [];
  for (const scenario of chosen) {
    process.stderr.write(`bench: ${scenario.name}…\n`);
    rows.push(...(await scenario.run()));
  }
  const table = rows.map((row) => ({
    scenario: row.scenario,
    metric: `${row.metric} (${row.unit})`,
    reelay: `${format(row.reelay.median)} [${format(row.reelay.min)}–${format(row.reelay.max)}]`,
    baseline: row.baseline ? `${format(row.baseline.median)} [${format(row.baseline.min)}–${format(row.baseline.max)}]` : '—',
    ratio: format(row.ratio),
    goal: row.goal ?? '',
  }));
  console.table(table);
  const file = path.join(__dirname, 'results.json');
  await writeFile(file, `${JSON.stringify({ measuredAt: new Date().toISOString(), rows }, null, 2)}\n`);
  process.stderr.write(`bench: wrote ${file}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

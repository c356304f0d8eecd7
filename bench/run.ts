/**
 * `npm run bench [-- scenario …]`: runs the benchmark scenarios against real services, prints a
 * table and writes bench/results.json. Figures are reported, never asserted.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BenchRow, Scenario } from './scenario';
import { format, markdownTable, ratioChart } from './report';
import { freshness } from './scenarios/freshness';
import { intake } from './scenarios/intake';
import { manyAtOnce } from './scenarios/manyAtOnce';
import { clusterScale } from './scenarios/clusterScale';
import { polling } from './scenarios/polling';
import { replay } from './scenarios/replay';
import { statusReads } from './scenarios/statusReads';
import { uploadJourney } from './scenarios/uploadJourney';
import { eventStore } from './scenarios/eventStore';
import { rebuild } from './scenarios/rebuild';
import { mediaProbe } from './scenarios/mediaProbe';
import { serverSideCopy } from './scenarios/serverSideCopy';
import { footprint, footprintSystem } from './scenarios/footprint';

const SCENARIOS: readonly Scenario[] = [uploadJourney, intake, manyAtOnce, statusReads, polling, replay, freshness, eventStore, rebuild, serverSideCopy, mediaProbe, footprint, footprintSystem, clusterScale];


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
  if (wanted.length) return; // a partial run does not overwrite the published results
  await writeFile(path.join(__dirname, 'results.json'), `${JSON.stringify({ measuredAt: new Date().toISOString(), rows }, null, 2)}\n`);
  await writeFile(path.join(__dirname, 'results.md'), markdownTable(rows));
  await writeFile(path.join(__dirname, 'results.svg'), ratioChart(rows));
  process.stderr.write('bench: wrote bench/results.json, results.md and results.svg\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

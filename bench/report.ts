import type { BenchRow } from './scenario';

export function format(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '—';
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2);
}

function range(stats: BenchRow['reelay'] | undefined): string {
  return stats ? `${format(stats.median)} (${format(stats.min)}–${format(stats.max)}, n=${stats.rounds})` : '—';
}

/** The results as a Markdown table: median (min–max, rounds) for Reelay and its baseline. */
export function markdownTable(rows: readonly BenchRow[]): string {
  const lines = ['| scenario | metric | unit | Reelay | baseline | ratio | goal |', '|---|---|---|---|---|---|---|'];
  for (const row of rows) {
    lines.push(`| ${row.scenario} | ${row.metric} | ${row.unit} | ${range(row.reelay)} | ${range(row.baseline)} | ${row.ratio === undefined ? '—' : `${format(row.ratio)}×`} | ${row.goal ?? ''} |`);
  }
  return `${lines.join('\n')}\n`;
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The ratios as a horizontal bar chart (SVG, no dependencies): one bar per row that has a
 * baseline, with a line at 1× (as fast as the baseline).
 */
export function ratioChart(rows: readonly BenchRow[]): string {
  const charted = rows.filter((row) => row.ratio !== undefined && Number.isFinite(row.ratio));
  const barHeight = 26;
  const labelWidth = 520;
  const plotWidth = 360;
  const top = 40;
  const height = top + charted.length * barHeight + 30;
  const max = Math.max(2, ...charted.map((row) => row.ratio as number));
  const x = (ratio: number) => labelWidth + (ratio / max) * plotWidth;
  const bars = charted.map((row, i) => {
    const y = top + i * barHeight;
    const ratio = row.ratio as number;
    return [
      `<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end">${escapeXml(`${row.scenario}: ${row.metric}`.slice(0, 80))}</text>`,
      `<rect x="${labelWidth}" y="${y + 4}" width="${Math.max(1, x(ratio) - labelWidth)}" height="${barHeight - 8}" fill="#3b7dd8"/>`,
      `<text x="${x(ratio) + 6}" y="${y + 17}">${format(ratio)}× ${escapeXml(row.goal ?? '')}</text>`,
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + plotWidth + 160}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="22" font-size="15" font-weight="bold">Reelay ÷ baseline measured in the same run (median)</text>`,
    ...bars,
    `<line x1="${x(1)}" y1="${top}" x2="${x(1)}" y2="${height - 25}" stroke="#c33" stroke-dasharray="4 3"/>`,
    `<text x="${x(1)}" y="${height - 10}" text-anchor="middle" fill="#c33">1×</text>`,
    '</svg>',
  ].join('\n');
}

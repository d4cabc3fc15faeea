// A run's summary as `gog bench` and `gog merge` print it: one line per benchmark and
// category (EM, F1, search and gaze ratios, turns), then each benchmark's headline under its
// own measure. Apart from bench.ts so that `gog merge` does not load the agent to print it.
import type { GroupSummary, RunSummary } from '../data/results';
import type { OfficialSummary } from '../data/scoring/metrics';

const pct = (x: number | undefined) => (x === undefined ? '—' : `${(100 * x).toFixed(1)}%`);

/** Two decimals in percent, as the benchmarks' scripts print their headlines. */
const pct2 = (x: number) => `${(100 * x).toFixed(2)}`;

function groupLine(name: string, g: GroupSummary): string {
  return `  ${name.padEnd(20)} ${String(g.samples).padStart(6)}  EM ${pct(g.accuracy).padStart(6)}  F1 ${pct(g.f1).padStart(6)}${g.judge !== undefined ? `  judge ${pct(g.judge).padStart(6)}` : ''}  search ${pct(g.searchRatio).padStart(6)}  gaze ${pct(g.gazeRatio).padStart(6)}  turns ${g.avgTurns.toFixed(2)}`;
}

/** A benchmark's headline under its own measure, as its script would print it. */
function officialLine(name: string, o: OfficialSummary): string {
  const parts = [`  ${name.padEnd(20)} ${o.metric} ${pct2(o.score)} over ${o.samples} samples`];
  if (o.run) parts.push(`(${pct2(o.run.score)} over the ${o.run.samples} run; the rest cannot run and count 0)`);
  if (o.splits)
    parts.push(
      `(${Object.entries(o.splits)
        .map(([k, v]) => `${k} ${pct2(v.score)}`)
        .join(', ')})`,
    );
  if (o.judge)
    parts.push(
      `(not attempted ${pct2(o.judge.notAttempted)}, correct given attempted ${pct2(o.judge.correctGivenAttempted)}, F-score ${pct2(o.judge.fScore)})`,
    );
  if (o.note) parts.push(`(${o.note})`);
  return parts.join(' ');
}

export function summaryLines(summary: RunSummary): string[] {
  const lines = [groupLine('all', summary.all)];
  const benchmarks = Object.entries(summary.byBenchmark);
  if (benchmarks.length > 1) for (const [k, g] of benchmarks) lines.push(groupLine(k, g));
  for (const [k, g] of Object.entries(summary.byCategory)) lines.push(groupLine(`· ${k}`, g));
  const official = benchmarks.flatMap(([k, g]) => (g.official ? [officialLine(k, g.official as OfficialSummary)] : []));
  if (official.length) {
    lines.push("official measures (each benchmark's own; right = score ≥ 0.5 where it is fractional):", ...official);
    if (summary.officialAverage)
      lines.push(`  ${'average'.padEnd(20)} ${pct2(summary.officialAverage.score)} over ${summary.officialAverage.benchmarks} benchmarks`);
  }
  return lines;
}

// `gog compare RUN_A RUN_B [--json]`: which samples B got wrong that A got right
// (regressions) and the reverse (improvements), each with the answers against gold and the
// first step where the two trajectories diverge, then the summaries side by side. Text from
// the runs (questions, answers) is untrusted: kept to one line here, cleaned of control
// characters where every line is printed (main.ts).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isBenchmarkRun } from '../data/runIndex';
import { compareRuns, type ChangedSample, type RunComparison } from '../run/compareRuns';
import type { ComparePair, SummaryDelta } from '../shared/runsMessages';
import { relativeToCwd, UsageError, type Io } from './ask';
import { parseCommandArgs } from './args';

const flat = (text: string, max = 160) => {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

function figure(v: number | null, format: SummaryDelta['format']): string {
  if (v === null) return '—';
  if (format === 'percent') return `${(v * 100).toFixed(1)}%`;
  if (format === 'ms') return `${Math.round(v)} ms`;
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

function delta(d: SummaryDelta): string {
  if (d.a === null || d.b === null) return '';
  const x = d.b - d.a;
  if (d.format === 'percent') return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} pts`;
  if (d.format === 'ms') return `${x >= 0 ? '+' : ''}${Math.round(x)} ms`;
  return `${x >= 0 ? '+' : ''}${Number.isInteger(x) ? x : x.toFixed(2)}`;
}

function side(s: ComparePair['a']): string {
  if (!s) return '(not run)';
  const answer = s.answer === null ? 'no answer' : `"${flat(s.answer, 80)}"`;
  return `${answer} ${s.right ? 'right' : `wrong (${s.cause ?? 'wrong_answer'})`}, ${s.turns} turn${s.turns === 1 ? '' : 's'}`;
}

function changedLines(c: ChangedSample): string[] {
  const p = c.pair;
  const d = c.divergence;
  return [
    `  ${flat(p.id, 60)}${p.rollout ? ` #${p.rollout}` : ''} [${flat(p.benchmark, 30)}${p.category ? `/${flat(p.category, 30)}` : ''}] ${flat(p.question)}`,
    `    gold: ${p.gold.map((g) => flat(g, 60)).join(' | ') || '—'}`,
    `    A: ${side(p.a)}`,
    `    B: ${side(p.b)}`,
    'error' in d
      ? `    divergence not read: ${flat(d.error, 200)}`
      : d.step === null
        ? `    the trajectories take the same actions (${d.aSteps} steps)`
        : `    diverge at step ${d.step}: A ${d.a ? flat(d.a, 100) : 'had stopped'} · B ${d.b ? flat(d.b, 100) : 'had stopped'}`,
  ];
}

export function comparisonText(c: RunComparison): string[] {
  const out = [`A: ${relativeToCwd(c.a.source)} (${c.a.done} results)`, `B: ${relativeToCwd(c.b.source)} (${c.b.done} results)`, ''];
  const rows = c.deltas.map((d) => [d.group === 'all' ? d.metric : `${flat(d.group, 30)} ${d.metric}`, figure(d.a, d.format), figure(d.b, d.format), delta(d)]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length), 6));
  out.push(['summary'.padEnd(widths[0]!), 'A'.padStart(widths[1]!), 'B'.padStart(widths[2]!), '  B − A'].join('  '));
  for (const r of rows) out.push([r[0]!.padEnd(widths[0]!), r[1]!.padStart(widths[1]!), r[2]!.padStart(widths[2]!), `  ${r[3]}`].join('  ').trimEnd());
  out.push('', `regressions (${c.regressions.length}): right in A, wrong in B`);
  for (const r of c.regressions) out.push(...changedLines(r));
  out.push('', `improvements (${c.improvements.length}): wrong in A, right in B`);
  for (const r of c.improvements) out.push(...changedLines(r));
  const ids = (ps: ComparePair[]) =>
    ps.length
      ? `: ${ps
          .slice(0, 10)
          .map((p) => flat(p.id, 40))
          .join(', ')}${ps.length > 10 ? ', …' : ''}`
      : '';
  out.push(
    '',
    `unchanged: ${c.counts.both_right} right in both, ${c.counts.both_wrong} wrong in both`,
    `only in A: ${c.counts.only_a}${ids(c.onlyA)}`,
    `only in B: ${c.counts.only_b}${ids(c.onlyB)}`,
  );
  return out;
}

/** The --json line: the whole comparison, runs named by the paths given. */
export function comparisonJson(c: RunComparison): string {
  const changed = (x: ChangedSample) => ({ ...x.pair, divergence: x.divergence });
  return JSON.stringify({
    a: { run: c.a.source, results: c.a.done },
    b: { run: c.b.source, results: c.b.done },
    counts: c.counts,
    deltas: c.deltas,
    regressions: c.regressions.map(changed),
    improvements: c.improvements.map(changed),
    onlyA: c.onlyA.map((p) => p.id),
    onlyB: c.onlyB.map((p) => p.id),
    problems: c.problems,
  });
}

export async function runCompare(argv: string[], io: Io, cwd: string, signal: AbortSignal): Promise<number> {
  const parsed = parseCommandArgs(argv, { json: { type: 'boolean' } });
  const dirs = parsed.positionals.map((p) => path.resolve(cwd, p));
  if (dirs.length !== 2) throw new UsageError('give exactly two benchmark run folders: gog compare RUN_A RUN_B');
  for (const [name, dir] of [
    ['A', dirs[0]!],
    ['B', dirs[1]!],
  ] as const) {
    const stat = await fs.stat(dir).catch(() => undefined);
    if (!stat?.isDirectory()) throw new UsageError(`run ${name} (${dir}) is not a folder`);
    if (!(await isBenchmarkRun(dir))) throw new UsageError(`run ${name} (${dir}) is not a benchmark run: it has no results.jsonl or summary.json`);
  }
  const comparison = await compareRuns(dirs[0]!, dirs[1]!, signal);
  for (const p of comparison.problems) io.stderr(`gog: warning: ${flat(p, 300)} (skipped)`);
  if (parsed.values.json) io.stdout(comparisonJson(comparison));
  else for (const line of comparisonText(comparison)) io.stdout(line);
  return 0;
}

// `gog compare RUN_A RUN_B [RUN_C …] [--baseline RUN] [--json]`: which samples the runs
// disagree on, read against a baseline run (the first unless told): regressions (right in
// the baseline, wrong in another run) and improvements (the reverse), each with every run's
// answer against gold and the first step where a disagreeing run's trajectory parts from
// the baseline's; then the summaries side by side, and each run's right answers against the
// baseline's with McNemar's exact p and a paired bootstrap interval, so a difference comes
// with whether it is noise. Text from the runs (questions, answers) is untrusted: kept to
// one line here, cleaned of control characters where every line is printed (main.ts).
import { promises as fs, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { MAX_COMPARED_RUNS, runLabel } from '../data/compare';
import { isBenchmarkRun } from '../data/runIndex';
import { verdictOf } from '../data/significance';
import { compareRuns, type ChangedSample, type RunComparison } from '../run/compareRuns';
import type { ComparePair, PairedFigure, SummaryDelta } from '../shared/runsMessages';
import { relativeToCwd, UsageError, type Io } from './io';
import { parseCommandArgs } from './args';
import { COMPARE } from './commands';

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

function delta(d: SummaryDelta, run: number, baseline: number): string {
  const [a, b] = [d.values[baseline] ?? null, d.values[run] ?? null];
  if (a === null || b === null) return '';
  const x = b - a;
  if (d.format === 'percent') return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} pts`;
  if (d.format === 'ms') return `${x >= 0 ? '+' : ''}${Math.round(x)} ms`;
  return `${x >= 0 ? '+' : ''}${Number.isInteger(x) ? x : x.toFixed(2)}`;
}

const points = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}`;

/** A p-value as a reader takes it in: three decimals, or its order of magnitude when tiny. */
export function pText(p: number): string {
  return p >= 0.001 ? p.toFixed(3) : p.toExponential(1);
}

/** What the figures say, in words (significance.ts verdictOf). */
export const VERDICT_WORDS = {
  significant: 'significant at 5%',
  noise: 'could be noise',
  borderline: 'borderline',
  few: 'too few disagreements to tell',
} as const;

function side(s: ComparePair['sides'][number]): string {
  if (!s) return '(not run)';
  const answer = s.answer === null ? 'no answer' : `"${flat(s.answer, 80)}"`;
  return `${answer} ${s.right ? 'right' : `wrong (${s.cause ?? 'wrong_answer'})`}, ${s.turns} turn${s.turns === 1 ? '' : 's'}`;
}

function changedLines(c: ChangedSample, baseline: number, runs: number): string[] {
  const p = c.pair;
  const base = runLabel(baseline);
  const lines = [
    `  ${flat(p.id, 60)}${p.rollout ? ` #${p.rollout}` : ''} [${flat(p.benchmark, 30)}${p.category ? `/${flat(p.category, 30)}` : ''}] ${flat(p.question)}`,
    `    gold: ${p.gold.map((g) => flat(g, 60)).join(' | ') || '—'}`,
    ...p.sides.map((s, i) => `    ${runLabel(i)}: ${side(s)}${runs > 2 && i === baseline ? ' (baseline)' : ''}`),
  ];
  for (const { run, divergence: d } of c.divergences) {
    const other = runLabel(run);
    // Two runs: the line reads as it always has; more: it names the run it is about.
    const lead = runs === 2 ? '    ' : `    ${other} against ${base}: `;
    lines.push(
      'error' in d
        ? `${lead}divergence not read: ${flat(d.error, 200)}`
        : d.step === null
          ? `${lead}the trajectories take the same actions (${d.aSteps} steps)`
          : `${lead}diverge at step ${d.step}: ${base} ${d.a ? flat(d.a, 100) : 'had stopped'} · ${other} ${d.b ? flat(d.b, 100) : 'had stopped'}`,
    );
  }
  return lines;
}

/** A table of text cells: the first `left` columns and the last left-aligned, the others right-aligned, two spaces apart. */
function table(rows: string[][], left: number): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const last = widths.length - 1;
  return rows.map((r) =>
    r
      .map((cell, i) => (i < left || i === last ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

function pairedLines(c: RunComparison): string[] {
  if (!c.paired.length) return [];
  const base = runLabel(c.baseline);
  const groupName = (f: PairedFigure) => (f.kind === 'all' ? 'all samples' : `${f.kind} ${flat(f.group, 30)}`);
  const rows = [
    ['right answers', 'run', 'samples', base, 'run', 'difference', '95% CI', 'p', `only ${base}`, 'only run', 'so'],
    ...c.paired.map((f) => [
      groupName(f),
      runLabel(f.run),
      String(f.n),
      `${(f.baseline * 100).toFixed(1)}%`,
      `${(f.other * 100).toFixed(1)}%`,
      `${points(f.other - f.baseline)} pts`,
      `[${points(f.ci[0])}, ${points(f.ci[1])}] pts`,
      pText(f.p),
      String(f.b),
      String(f.c),
      VERDICT_WORDS[verdictOf(f)],
    ]),
  ];
  return [
    `right answers against the baseline ${base}, on the samples both runs have: McNemar's exact p (two-sided);`,
    `95% CI of the difference by a paired bootstrap (${c.bootstrap.resamples.toLocaleString('en')} resamples, seed ${c.bootstrap.seed}):`,
    ...table(rows, 2).map((l) => `  ${l}`),
  ];
}

export function comparisonText(c: RunComparison): string[] {
  const n = c.runs.length;
  const base = runLabel(c.baseline);
  const others = c.runs.map((_, i) => i).filter((i) => i !== c.baseline);
  const out = [
    ...c.runs.map((r, i) => `${runLabel(i)}: ${relativeToCwd(r.source)} (${r.done} results)${i === c.baseline && (n > 2 || c.baseline) ? ' · baseline' : ''}`),
    '',
  ];
  const rows = c.deltas.map((d) => [
    d.group === 'all' ? d.metric : `${flat(d.group, 30)} ${d.metric}`,
    ...d.values.map((v) => figure(v, d.format)),
    ...others.map((i) => delta(d, i, c.baseline)),
  ]);
  const widths = rows.length ? rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length), 6)) : [];
  const head = ['summary', ...c.runs.map((_, i) => runLabel(i)), ...others.map((i) => `${runLabel(i)} − ${base}`)];
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        i === 0 ? cell.padEnd(widths[0] ?? 6) : i <= n ? cell.padStart(widths[i] ?? 6) : `  ${cell.padEnd(i === cells.length - 1 ? 0 : widths[i]!)}`,
      )
      .join('  ')
      .trimEnd();
  out.push(line(head));
  for (const r of rows) out.push(line(r));
  out.push('', ...pairedLines(c));
  const whose = (kind: 'regressions' | 'improvements') =>
    n === 2
      ? kind === 'regressions'
        ? `right in ${base}, wrong in ${runLabel(others[0]!)}`
        : `wrong in ${base}, right in ${runLabel(others[0]!)}`
      : kind === 'regressions'
        ? `right in the baseline ${base}, wrong in another run`
        : `wrong in the baseline ${base}, right in another run`;
  out.push('', `regressions (${c.regressions.length}): ${whose('regressions')}`);
  for (const r of c.regressions) out.push(...changedLines(r, c.baseline, n));
  out.push('', `improvements (${c.improvements.length}): ${whose('improvements')}`);
  for (const r of c.improvements) out.push(...changedLines(r, c.baseline, n));
  const ids = (ps: ComparePair[], label = (p: ComparePair) => flat(p.id, 40)) =>
    ps.length ? `: ${ps.slice(0, 10).map(label).join(', ')}${ps.length > 10 ? ', …' : ''}` : '';
  if (n === 2) {
    out.push(
      '',
      `unchanged: ${c.counts.both_right} right in both, ${c.counts.both_wrong} wrong in both`,
      `only in A: ${c.counts.only_a}${ids(c.partial.filter((p) => p.change === 'only_a'))}`,
      `only in B: ${c.counts.only_b}${ids(c.partial.filter((p) => p.change === 'only_b'))}`,
    );
  } else {
    const inRuns = (p: ComparePair) => `${flat(p.id, 40)} (${p.sides.flatMap((s, i) => (s ? [runLabel(i)] : [])).join('')})`;
    out.push(
      '',
      `unchanged: ${c.counts.all_right} right in all ${n}, ${c.counts.all_wrong} wrong in all ${n}`,
      `not in every run: ${c.counts.partial}${ids(c.partial, inRuns)}`,
    );
  }
  return out;
}

/** The --json line: the whole comparison, runs named by the paths given. With two runs, the fields it always had (a, b, onlyA, onlyB, each sample's a and b) too. */
export function comparisonJson(c: RunComparison): string {
  const two = c.runs.length === 2;
  const changed = (x: ChangedSample) => ({
    ...x.pair,
    ...(two ? { a: x.pair.sides[0], b: x.pair.sides[1], divergence: x.divergences[0]?.divergence } : {}),
    divergences: x.divergences.map((d) => ({ run: runLabel(d.run), ...d.divergence })),
  });
  return JSON.stringify({
    ...(two ? { a: { run: c.runs[0]!.source, results: c.runs[0]!.done }, b: { run: c.runs[1]!.source, results: c.runs[1]!.done } } : {}),
    runs: c.runs.map((r, i) => ({ label: runLabel(i), run: r.source, results: r.done })),
    baseline: runLabel(c.baseline),
    counts: c.counts,
    deltas: c.deltas.map((d) => ({
      group: d.group,
      metric: d.metric,
      ...(two ? { a: d.values[0], b: d.values[1] } : {}),
      values: d.values,
      better: d.better,
      format: d.format,
    })),
    paired: c.paired.map((f) => ({
      group: f.group,
      kind: f.kind,
      run: runLabel(f.run),
      samples: f.n,
      baselineOnly: f.b,
      runOnly: f.c,
      baseline: f.baseline,
      accuracy: f.other,
      difference: f.other - f.baseline,
      p: f.p,
      ci: f.ci,
      verdict: verdictOf(f),
    })),
    significance: {
      test: "McNemar's exact test, two-sided (binomial over the discordant samples at 0.5)",
      interval: 'paired bootstrap, percentile method',
      resamples: c.bootstrap.resamples,
      seed: c.bootstrap.seed,
      level: c.bootstrap.level,
    },
    regressions: c.regressions.map(changed),
    improvements: c.improvements.map(changed),
    ...(two
      ? { onlyA: c.partial.filter((p) => p.change === 'only_a').map((p) => p.id), onlyB: c.partial.filter((p) => p.change === 'only_b').map((p) => p.id) }
      : {}),
    partial: c.partial.map((p) => ({ id: p.id, rollout: p.rollout, runs: p.sides.flatMap((s, i) => (s ? [runLabel(i)] : [])) })),
    problems: c.problems,
  });
}

/** --baseline: a run's letter (A, B, …) or one of the folders given; its place among them. */
function baselineOf(given: string | undefined, dirs: readonly string[], cwd: string): number {
  if (given === undefined) return 0;
  if (/^[A-Za-z]$/.test(given)) {
    const i = given.toUpperCase().charCodeAt(0) - 65;
    if (i < dirs.length) return i;
  }
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  const wanted = real(path.resolve(cwd, given));
  const i = dirs.findIndex((d) => real(d) === wanted);
  if (i >= 0) return i;
  throw new UsageError(`--baseline ${given} is none of the runs compared: give a letter from A to ${runLabel(dirs.length - 1)} or one of the run folders`);
}

export async function runCompare(argv: string[], io: Io, cwd: string, signal: AbortSignal): Promise<number> {
  const parsed = parseCommandArgs(argv, COMPARE);
  const dirs = parsed.positionals.map((p) => path.resolve(cwd, p));
  if (dirs.length < 2) throw new UsageError('give two or more benchmark run folders: gog compare RUN_A RUN_B [RUN_C …]');
  if (dirs.length > MAX_COMPARED_RUNS) throw new UsageError(`compare at most ${MAX_COMPARED_RUNS} runs at once (${dirs.length} given)`);
  const seen = new Map<string, number>();
  for (const [i, dir] of dirs.entries()) {
    const name = runLabel(i);
    const stat = await fs.stat(dir).catch(() => undefined);
    if (!stat?.isDirectory()) throw new UsageError(`run ${name} (${dir}) is not a folder`);
    if (!(await isBenchmarkRun(dir))) throw new UsageError(`run ${name} (${dir}) is not a benchmark run: it has no results.jsonl or summary.json`);
    const real = await fs.realpath(dir);
    const twin = seen.get(real);
    if (twin !== undefined) throw new UsageError(`run ${name} (${dir}) is the same folder as run ${runLabel(twin)}`);
    seen.set(real, i);
  }
  const baseline = baselineOf(parsed.values.baseline, dirs, cwd);
  const comparison = await compareRuns(dirs, { baseline, signal });
  for (const p of comparison.problems) io.stderr(`gog: warning: ${flat(p, 300)} (skipped)`);
  if (parsed.values.json) io.stdout(comparisonJson(comparison));
  else for (const line of comparisonText(comparison)) io.stdout(line);
  return 0;
}

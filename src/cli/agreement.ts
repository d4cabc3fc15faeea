// `gog agreement PATH [--json]`: how far the annotators of PATH's samples agree (per pair and
// overall, on verdicts and on error categories), how close their corrected gaze boxes are to
// each other and to the model's, and the samples where their verdicts differ. The figures are
// computed in data/agreement/; this prints them. Names and paths come from the files: every
// line goes out through the terminal cleaning of main.ts.
import { AgreementInputError, agreementOf } from '../data/agreement/agreementRun';
import type { CategoryFigures, GroupIou, IouFigures, OverallFigures, PairFigures } from '../data/agreement/annotatorAgreement';
import type { GroupAgreement, PairAgreement } from '../data/agreement/kappa';
import { UsageError, type Io } from './io';
import { parseCommandArgs } from './args';
import { AGREEMENT } from './commands';
import { stoppedExitCode } from './stopSignal';

const percent = (x: number) => `${(x * 100).toFixed(1)}%`;
const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** κ to three places, or why it has no value (0/0): nothing in common, or one category throughout. */
export function kappaText(f: Pick<PairAgreement | GroupAgreement, 'kappa' | 'items'>): string {
  if (f.kappa !== null) return f.kappa.toFixed(3);
  return f.items === 0 ? '— (no samples in common)' : '— (undefined: one category throughout, so chance agrees every time)';
}

function pairLine(p: PairFigures, width: number): string {
  return `  ${`${p.a} · ${p.b}`.padEnd(width)}  ${count(p.items, 'sample').padStart(12)}  ${p.items ? `${percent(p.observed)} agree` : ''.padEnd(12)}  Cohen's κ ${kappaText(p)}`;
}

function overallLine(o: OverallFigures, width: number): string {
  const name = o.method === 'cohen' ? "Cohen's κ" : "Fleiss' κ";
  const agree = o.method === 'cohen' ? `${percent(o.observed)} agree` : `${percent(o.items ? o.unanimous / o.items : 0)} unanimous`;
  return `  ${'overall'.padEnd(width)}  ${count(o.items, 'sample').padStart(12)}  ${o.items ? agree : ''}  ${name} ${kappaText(o)}`;
}

const iouText = (f: IouFigures) => (f.meanIou === null ? '—' : f.meanIou.toFixed(3));
const groupText = (groups: GroupIou[]) => groups.map((g) => `${g.key} ${iouText(g)} (${g.count.toLocaleString('en')})`).join(', ');

export async function runAgreement(argv: string[], io: Io, cwd: string, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, AGREEMENT);
  if (positionals.length !== 1) throw new UsageError('give one run folder, folder of trajectories or queue file: gog agreement PATH [--json]');
  const target = positionals[0]!;
  let run;
  try {
    run = await agreementOf(target, cwd, signal);
  } catch (e) {
    if (e instanceof AgreementInputError) throw new UsageError(e.message);
    if (signal.aborted) return stoppedExitCode(signal);
    throw e;
  }
  for (const note of run.notes) io.stderr(`gog: warning: ${note}`);
  const r = run.report;
  if (values.json) {
    io.stdout(JSON.stringify(r));
    return 0;
  }
  const names = r.labellers;
  const width = Math.max(7, ...r.verdicts.pairs.map((p) => `${p.a} · ${p.b}`.length));
  io.stdout(
    `agreement over ${count(r.samples, 'trajectory', 'trajectories')} under ${target}: ${r.labelled.toLocaleString('en')} labelled, ${r.multiLabelled.toLocaleString('en')} labelled by two or more; annotators: ${r.annotators.join(', ') || 'none'}`,
  );
  if (r.unnamedAnnotations) io.stdout(`  ${count(r.unnamedAnnotations, 'annotation')} without an annotator's name left out`);
  if (names.length < 2) {
    io.stdout(
      names.length
        ? `verdicts: only ${names[0]} gave any; agreement needs two annotators on the same samples`
        : 'verdicts: none by a named annotator; agreement needs two annotators on the same samples',
    );
  } else {
    io.stdout(`verdicts (${r.verdicts.categories.join(', ')}):`);
    for (const p of r.verdicts.pairs) io.stdout(pairLine(p, width));
    if (r.verdicts.overall) io.stdout(overallLine(r.verdicts.overall, width));
    if (r.categories.perCategory.length) {
      io.stdout('error categories (each one present or absent on a sample both labelled):');
      for (const c of r.categories.perCategory) printCategory(io, c, width);
    }
  }
  if (r.boxes.gazes) {
    io.stdout(`gaze boxes corrected by two or more annotators: ${count(r.boxes.gazes, 'gaze')}, mean IoU between annotators ${iouText(r.boxes.overall)}`);
    for (const p of r.boxes.pairs)
      io.stdout(`  ${`${p.a} · ${p.b}`.padEnd(width)}  ${count(p.count, 'box pair', 'box pairs').padStart(12)}  mean IoU ${iouText(p)}`);
  }
  const q = r.gazeQuality;
  if (q.overall.count) {
    io.stdout(`gaze quality, IoU of the model's box with the annotator's correction: ${count(q.overall.count, 'correction')}, mean ${iouText(q.overall)}`);
    io.stdout(`  by benchmark: ${groupText(q.byBenchmark)}`);
    io.stdout(`  by category: ${groupText(q.byCategory)}`);
    io.stdout(`  by checkpoint: ${groupText(q.byCheckpoint)}`);
  }
  if (r.conflicts.length) {
    io.stdout(`conflicts: ${count(r.conflicts.length, 'sample')} where the verdicts differ`);
    for (const c of r.conflicts)
      io.stdout(
        `  ${c.path}  ${Object.entries(c.labels)
          .map(([n, l]) => `${n} ${l}`)
          .join(' · ')}${c.adjudicated ? `  → settled: ${c.adjudicated} (adjudicated)` : ''}`,
      );
  } else if (r.multiLabelled) io.stdout('conflicts: none');
  return 0;
}

function printCategory(io: Io, c: CategoryFigures, width: number): void {
  io.stdout(`  ${c.category} (given on ${count(c.given, 'sample')})`);
  for (const p of c.pairs) io.stdout(`  ${pairLine(p, width)}`);
  if (c.overall) io.stdout(`  ${overallLine(c.overall, width)}`);
}

// Agreement between annotators over a set of samples (issue 19, items 5 and 7). Each sample
// is taken in as it is read (AgreementTally.add), so 10,000 samples hold only small tallies:
//   verdicts      the label in effect per annotator (the last of theirs not reverted);
//                 pairs: percent agreement and Cohen's κ; overall: Cohen's κ for two
//                 annotators, Fleiss' κ for more (kappa.ts)
//   categories    the label's tags (error categories), each taken as present or absent on a
//                 sample both annotators labelled: per category, the same figures
//   boxes         gazes whose box two or more annotators corrected: the IoU between their boxes
//   gaze quality  every corrected gaze: the IoU between the model's box and the correction,
//                 overall and per benchmark, category and checkpoint (the model's name)
//   conflicts     samples whose labelling annotators gave different verdicts, each with the
//                 adjudicator's verdict once one settled it (`gog label --adjudicate`)
// An adjudicator's verdict is not an annotator's: it is left out of the figures, as
// annotations.ts teamVerdict leaves it out of the annotators' labels.
// Annotation events without an author cannot be told apart and are counted, not compared.
import { inEffect } from '../../core/annotations';
import type { Box } from '../../core/geometry';
import { LABELS, type Label } from '../../core/trajectory';
import type { SampleRecord } from './readSample';
import { boxIou } from '../../core/geometry';
import { cohensKappaOfTable, fleissKappa, type GroupAgreement, type PairAgreement } from './kappa';

/** What one annotator holds on one sample, after their own reverts. */
export interface AnnotatorView {
  label?: Label;
  tags: string[];
  /** Corrected gaze boxes (original-image pixels) by the gaze's event id. */
  boxes: Map<string, Box>;
}

/**
 * Each named annotator's view of a sample (adjudications aside); `unnamed` counts annotations
 * without an author; `adjudicated` is the last adjudicated verdict in effect.
 */
export function annotatorViews(record: SampleRecord): { views: Map<string, AnnotatorView>; unnamed: number; adjudicated?: Label } {
  let adjudicated: { label: Label; t: string } | undefined;
  const byAuthor = new Map<string, typeof record.annotations>();
  let unnamed = 0;
  for (const a of record.annotations) {
    if (!a.author) {
      unnamed++;
      continue;
    }
    let list = byAuthor.get(a.author);
    if (!list) byAuthor.set(a.author, (list = []));
    list.push(a);
  }
  const views = new Map<string, AnnotatorView>();
  for (const [author, list] of byAuthor) {
    const view: AnnotatorView = { tags: [], boxes: new Map() };
    for (const a of inEffect(list)) {
      const edit = a.edit;
      if (edit.op === 'label' && edit.adjudicated) {
        // The latest adjudication settles it, whoever gave it (the annotations are merged by time).
        if (!adjudicated || a.t >= adjudicated.t) adjudicated = { label: edit.label, t: a.t };
      } else if (edit.op === 'label') {
        view.label = edit.label;
        view.tags = [...new Set((edit.tags ?? []).map((t) => t.trim()).filter(Boolean))];
      } else if (edit.op === 'set_box' && record.gazes.has(edit.target) && edit.box.every(Number.isFinite)) view.boxes.set(edit.target, edit.box);
    }
    if (view.label || view.boxes.size) views.set(author, view);
  }
  return { views, unnamed, ...(adjudicated ? { adjudicated: adjudicated.label } : {}) };
}

/** Where a sample belongs, for gaze quality. */
export interface SampleContext {
  /** As shown to the user (relative to where the command ran). */
  path: string;
  benchmark: string;
  category: string;
  checkpoint: string;
}

export interface PairFigures extends PairAgreement {
  a: string;
  b: string;
}

export interface OverallFigures extends GroupAgreement {
  /** Cohen's κ of the two annotators, or Fleiss' κ of more. */
  method: 'cohen' | 'fleiss';
}

export interface CategoryFigures {
  category: string;
  /** Samples labelled by two or more annotators where anyone gave the category. */
  given: number;
  pairs: PairFigures[];
  overall: OverallFigures | null;
}

export interface IouFigures {
  count: number;
  meanIou: number | null;
}

export interface GroupIou extends IouFigures {
  key: string;
}

export interface AgreementReport {
  /** Every named annotator with a label or a corrected box in effect. */
  annotators: string[];
  /** Those who gave a verdict: the verdict and category figures compare them. */
  labellers: string[];
  samples: number;
  /** Samples with a label by at least one named annotator, and by two or more. */
  labelled: number;
  multiLabelled: number;
  /** Annotation events without an author: left out. */
  unnamedAnnotations: number;
  verdicts: { categories: string[]; pairs: PairFigures[]; overall: OverallFigures | null };
  /** Error categories: each one present or absent on a sample (not the set as a whole). */
  categories: { basis: 'presence'; perCategory: CategoryFigures[] };
  /** Gazes corrected by two or more annotators: IoU between their boxes (pairs that corrected the same gaze). */
  boxes: { gazes: number; overall: IouFigures; pairs: (IouFigures & { a: string; b: string })[] };
  /** IoU of the model's box with each annotator's correction of it. */
  gazeQuality: { overall: IouFigures; byBenchmark: GroupIou[]; byCategory: GroupIou[]; byCheckpoint: GroupIou[] };
  /** Samples whose annotators' verdicts differ; `adjudicated`: the adjudicator's verdict that settled it. */
  conflicts: { path: string; labels: Record<string, Label>; adjudicated?: Label }[];
}

const pairKey = (a: string, b: string) => `${a}\u0000${b}`;

class IouSum {
  sum = 0;
  count = 0;
  add(v: number): void {
    this.sum += v;
    this.count++;
  }
  figures(): IouFigures {
    return { count: this.count, meanIou: this.count ? this.sum / this.count : null };
  }
}

function grouped(map: Map<string, IouSum>): GroupIou[] {
  return [...map].sort(([a], [b]) => a.localeCompare(b)).map(([key, s]) => ({ key, ...s.figures() }));
}

function bump(map: Map<string, IouSum>, key: string, v: number): void {
  let s = map.get(key);
  if (!s) map.set(key, (s = new IouSum()));
  s.add(v);
}

/** Tallies of samples taken in one by one; `report()` gives the figures. */
export class AgreementTally {
  private samples = 0;
  private labelled = 0;
  private unnamed = 0;
  private readonly annotators = new Set<string>();
  /** Annotators who gave a verdict somewhere: the verdict and category figures are theirs. */
  private readonly labellerNames = new Set<string>();
  /** Verdict tables per ordered pair (names sorted), LABELS × LABELS. */
  private readonly verdictTables = new Map<string, number[][]>();
  /** Per sample labelled by two or more: counts per verdict (Fleiss rows). */
  private readonly verdictRows: number[][] = [];
  /** Per pair: samples both labelled. Per category and pair: [both, first only, second only]. */
  private readonly pairSamples = new Map<string, number>();
  private readonly categoryPairs = new Map<string, Map<string, [number, number, number]>>();
  /** Per category: index in verdictRows → annotators who gave it there. */
  private readonly categoryRows = new Map<string, Map<number, number>>();
  private readonly boxPairs = new Map<string, IouSum>();
  private readonly boxAll = new IouSum();
  private boxGazes = 0;
  private readonly quality = new IouSum();
  private readonly byBenchmark = new Map<string, IouSum>();
  private readonly byCategory = new Map<string, IouSum>();
  private readonly byCheckpoint = new Map<string, IouSum>();
  private readonly conflicts: AgreementReport['conflicts'] = [];

  add(record: SampleRecord, context: SampleContext): void {
    this.samples++;
    const { views, unnamed, adjudicated } = annotatorViews(record);
    this.unnamed += unnamed;
    for (const name of views.keys()) this.annotators.add(name);
    const labellers = [...views].filter(([, v]) => v.label !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [name] of labellers) this.labellerNames.add(name);
    if (labellers.length) this.labelled++;
    if (labellers.length >= 2) this.addLabels(labellers as [string, AnnotatorView & { label: Label }][], context, adjudicated);
    this.addBoxes(record, views, context);
  }

  private addLabels(labellers: [string, AnnotatorView & { label: Label }][], context: SampleContext, adjudicated: Label | undefined): void {
    const row = LABELS.map((l) => labellers.filter(([, v]) => v.label === l).length);
    const index = this.verdictRows.push(row) - 1;
    if (row.every((c) => c < labellers.length))
      this.conflicts.push({
        path: context.path,
        labels: Object.fromEntries(labellers.map(([n, v]) => [n, v.label])),
        ...(adjudicated ? { adjudicated } : {}),
      });
    const tagged = new Map<string, number>();
    for (const [, v] of labellers) for (const t of v.tags) tagged.set(t, (tagged.get(t) ?? 0) + 1);
    for (const [t, n] of tagged) {
      let rows = this.categoryRows.get(t);
      if (!rows) this.categoryRows.set(t, (rows = new Map<number, number>()));
      rows.set(index, n);
    }
    for (let i = 0; i < labellers.length; i++)
      for (let j = i + 1; j < labellers.length; j++) {
        const [a, va] = labellers[i]!;
        const [b, vb] = labellers[j]!;
        const key = pairKey(a, b);
        let table = this.verdictTables.get(key);
        if (!table) this.verdictTables.set(key, (table = LABELS.map(() => LABELS.map(() => 0))));
        table[LABELS.indexOf(va.label)]![LABELS.indexOf(vb.label)]!++;
        this.pairSamples.set(key, (this.pairSamples.get(key) ?? 0) + 1);
        for (const t of new Set([...va.tags, ...vb.tags])) {
          let pairs = this.categoryPairs.get(t);
          if (!pairs) this.categoryPairs.set(t, (pairs = new Map<string, [number, number, number]>()));
          let cell = pairs.get(key);
          if (!cell) pairs.set(key, (cell = [0, 0, 0]));
          const inA = va.tags.includes(t);
          const inB = vb.tags.includes(t);
          cell[inA && inB ? 0 : inA ? 1 : 2]++;
        }
      }
  }

  private addBoxes(record: SampleRecord, views: Map<string, AnnotatorView>, context: SampleContext): void {
    const byGaze = new Map<string, [string, Box][]>();
    for (const [name, v] of views)
      for (const [gaze, box] of v.boxes) {
        let list = byGaze.get(gaze);
        if (!list) byGaze.set(gaze, (list = []));
        list.push([name, box]);
        const model = record.gazes.get(gaze);
        if (!model) continue;
        const iou = boxIou(model, box);
        this.quality.add(iou);
        bump(this.byBenchmark, context.benchmark, iou);
        bump(this.byCategory, context.category, iou);
        bump(this.byCheckpoint, context.checkpoint, iou);
      }
    for (const list of byGaze.values()) {
      if (list.length < 2) continue;
      this.boxGazes++;
      list.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (let i = 0; i < list.length; i++)
        for (let j = i + 1; j < list.length; j++) {
          const iou = boxIou(list[i]![1], list[j]![1]);
          this.boxAll.add(iou);
          bump(this.boxPairs, pairKey(list[i]![0], list[j]![0]), iou);
        }
    }
  }

  report(): AgreementReport {
    const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const everyone = [...this.annotators].sort(byName);
    const annotators = [...this.labellerNames].sort(byName);
    const pairsOf = (names: string[]) => {
      const out: [string, string][] = [];
      for (let i = 0; i < names.length; i++) for (let j = i + 1; j < names.length; j++) out.push([names[i]!, names[j]!]);
      return out;
    };
    const pairs = pairsOf(annotators);
    const method: OverallFigures['method'] = annotators.length > 2 ? 'fleiss' : 'cohen';
    const overall = (rows: number[][]): OverallFigures | null => {
      if (annotators.length < 2) return null;
      const fleiss = fleissKappa(rows);
      if (method === 'fleiss') return { method, ...fleiss };
      // Two annotators: Cohen's κ of their table (Fleiss' would pool their shares of each category).
      const cohen = cohensKappaOfTable(this.verdictTables.get(pairKey(annotators[0]!, annotators[1]!)) ?? LABELS.map(() => LABELS.map(() => 0)));
      return { method, ...fleiss, observed: cohen.observed, expected: cohen.expected, kappa: cohen.kappa };
    };
    const verdictPairs = pairs.map(([a, b]) => ({
      a,
      b,
      ...cohensKappaOfTable(this.verdictTables.get(pairKey(a, b)) ?? LABELS.map(() => LABELS.map(() => 0))),
    }));
    const perCategory: CategoryFigures[] = [...this.categoryRows.keys()].sort().map((category) => {
      const present = this.categoryRows.get(category)!;
      const rows = this.verdictRows.map((r, i) => {
        const n = r.reduce((s, c) => s + c, 0);
        const p = present.get(i) ?? 0;
        return [p, n - p];
      });
      const cells = this.categoryPairs.get(category);
      const categoryPairs = pairs.map(([a, b]) => {
        const key = pairKey(a, b);
        const [both, aOnly, bOnly] = cells?.get(key) ?? [0, 0, 0];
        const neither = (this.pairSamples.get(key) ?? 0) - both - aOnly - bOnly;
        return {
          a,
          b,
          ...cohensKappaOfTable([
            [both, aOnly],
            [bOnly, neither],
          ]),
        };
      });
      let cohenOverall: OverallFigures | null = null;
      if (annotators.length >= 2) {
        const fleiss = fleissKappa(rows);
        cohenOverall =
          method === 'fleiss'
            ? { method, ...fleiss }
            : { method, ...fleiss, observed: categoryPairs[0]!.observed, expected: categoryPairs[0]!.expected, kappa: categoryPairs[0]!.kappa };
      }
      return { category, given: present.size, pairs: categoryPairs, overall: cohenOverall };
    });
    return {
      annotators: everyone,
      labellers: annotators,
      samples: this.samples,
      labelled: this.labelled,
      multiLabelled: this.verdictRows.length,
      unnamedAnnotations: this.unnamed,
      verdicts: { categories: [...LABELS], pairs: verdictPairs, overall: overall(this.verdictRows) },
      categories: { basis: 'presence', perCategory },
      boxes: {
        gazes: this.boxGazes,
        overall: this.boxAll.figures(),
        pairs: pairsOf(everyone).flatMap(([a, b]) => {
          const s = this.boxPairs.get(pairKey(a, b));
          return s ? [{ a, b, ...s.figures() }] : [];
        }),
      },
      gazeQuality: {
        overall: this.quality.figures(),
        byBenchmark: grouped(this.byBenchmark),
        byCategory: grouped(this.byCategory),
        byCheckpoint: grouped(this.byCheckpoint),
      },
      conflicts: this.conflicts,
    };
  }
}

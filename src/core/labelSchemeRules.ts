// A project's label scheme as a value, without files or zod (the editor's page bundles this):
// the default (today's three verdicts, free tags) and whether a label fits a scheme. Shared by
// `gog label` (src/data/labelScheme.ts reads and checks the file) and the editor's review bar,
// so both refuse the same labels.
import type { Label } from './trajectory';

export interface LabelScheme {
  verdicts: { label: Label; key?: string; name?: string; needsReason?: boolean }[];
  /** Empty: tags are free. */
  categories: { id: string; name?: string; key?: string; needsReason?: boolean }[];
  /** The file it was read from; absent for the default. */
  source?: string;
}

/** Today's three verdicts, with the editor's keys, and free tags. */
export const DEFAULT_LABEL_SCHEME: LabelScheme = {
  verdicts: [
    { label: 'accepted', key: 'a' },
    { label: 'rejected', key: 'r' },
    { label: 'needs-fix', key: 'f' },
  ],
  categories: [],
};

/** The scheme file cannot be used; one line naming it. */
export class LabelSchemeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelSchemeError';
  }
}

/** Why a label does not fit a scheme; each place that refuses one words it for its own user. */
export type SchemeProblem =
  | { kind: 'unknownVerdict'; label: string }
  | { kind: 'verdictNeedsReason'; label: Label }
  | { kind: 'unknownCategory'; tag: string }
  | { kind: 'categoryNeedsReason'; tag: string };

/** The first way a label (its verdict, tags and note) does not fit the scheme, or undefined. */
export function schemeProblem(scheme: LabelScheme, label: string, tags: readonly string[], note: string | undefined): SchemeProblem | undefined {
  const verdict = scheme.verdicts.find((v) => v.label === label);
  if (!verdict) return { kind: 'unknownVerdict', label };
  if (verdict.needsReason && !note) return { kind: 'verdictNeedsReason', label: verdict.label };
  if (!scheme.categories.length) return undefined;
  for (const tag of tags) {
    const category = scheme.categories.find((c) => c.id === tag);
    if (!category) return { kind: 'unknownCategory', tag };
    if (category.needsReason && !note) return { kind: 'categoryNeedsReason', tag };
  }
  return undefined;
}

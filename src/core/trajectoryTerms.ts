// The trajectory record's vocabularies, without its schema: what the command line's help
// and flags name, so that `gog help` and light commands do not load zod (trajectory.ts
// builds the schema from these).
export const DIALECT_IDS = ['gog', 'mmsearch-r1', 'tool-calls'] as const;
export type DialectId = (typeof DIALECT_IDS)[number];

export const LABELS = ['accepted', 'rejected', 'needs-fix'] as const;
export type Label = (typeof LABELS)[number];

// A project's label scheme, `.gog/labels.json`: the verdicts annotators give (with their keys),
// the error categories a label may carry in its tags (with keys), and which of them need a
// reason (the label's note). `gog label` checks a label against it before writing. Without a
// scheme, today's three verdicts and free tags. The file is found in the trajectory's folder
// or a folder above it (the project holding `.gog/`), read bounded and inside `.gog/` only.
import * as path from 'node:path';
import { z } from 'zod';
import { FolderFileRefused, readFolderFile } from '../core/folderFile';
import { parseJson } from '../core/json';
import { describeSchemaError, LABELS, type Label } from '../core/trajectory';

/** A scheme is a few dozen lines; larger is not one. */
const MAX_SCHEME_BYTES = 1024 * 1024;
/** How many folders up from a trajectory a project's `.gog/` is looked for. */
const MAX_DEPTH = 32;

const key = z.string().regex(/^[a-z0-9]$/, 'a key is one lower-case letter or digit');
export const labelSchemeSchema = z.strictObject({
  verdicts: z
    .array(z.strictObject({ label: z.enum(LABELS), key: key.optional(), name: z.string().max(80).optional(), needsReason: z.boolean().optional() }))
    .min(1)
    .optional(),
  categories: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'a category id is lower-case letters, digits and dashes'),
        name: z.string().max(80).optional(),
        key: key.optional(),
        needsReason: z.boolean().optional(),
      }),
    )
    .max(100)
    .optional(),
});

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

/** Checks a parsed scheme: keys and ids used once. */
export function schemeFrom(value: unknown, source: string): LabelScheme {
  const parsed = labelSchemeSchema.safeParse(value);
  if (!parsed.success) throw new LabelSchemeError(`${source}: ${describeSchemaError(parsed.error)}; fix it, or remove it for the default verdicts`);
  const scheme: LabelScheme = {
    verdicts: parsed.data.verdicts ?? DEFAULT_LABEL_SCHEME.verdicts,
    categories: parsed.data.categories ?? [],
    source,
  };
  const keys = new Set<string>();
  const ids = new Set<string>();
  for (const k of [...scheme.verdicts.map((v) => v.key), ...scheme.categories.map((c) => c.key)]) {
    if (k === undefined) continue;
    if (keys.has(k)) throw new LabelSchemeError(`${source}: the key "${k}" is given twice; give each verdict and category its own`);
    keys.add(k);
  }
  for (const id of [...scheme.verdicts.map((v) => v.label), ...scheme.categories.map((c) => c.id)]) {
    if (ids.has(id)) throw new LabelSchemeError(`${source}: "${id}" is listed twice`);
    ids.add(id);
  }
  return scheme;
}

/** The scheme of the project `dir` is in: the nearest `.gog/labels.json` at or above it, else the default. */
export async function findLabelScheme(dir: string): Promise<LabelScheme> {
  let at = path.resolve(dir);
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const gog = path.join(at, '.gog');
    const file = path.join(gog, 'labels.json');
    let bytes: Buffer | undefined;
    try {
      bytes = await readFolderFile(gog, file, { what: '.gog folder', maxBytes: MAX_SCHEME_BYTES });
    } catch (e) {
      throw new LabelSchemeError(`${file}: ${e instanceof FolderFileRefused ? e.reason : 'cannot be read'}; not used`);
    }
    if (bytes) {
      let value: unknown;
      try {
        value = parseJson(bytes.toString('utf8'));
      } catch {
        throw new LabelSchemeError(`${file} is not JSON; fix it, or remove it for the default verdicts`);
      }
      return schemeFrom(value, file);
    }
    const up = path.dirname(at);
    if (up === at) break;
    at = up;
  }
  return DEFAULT_LABEL_SCHEME;
}

/** Why a label does not fit the scheme (one line naming the scheme), or undefined when it does. */
export function labelProblem(scheme: LabelScheme, label: string, tags: readonly string[], note: string | undefined): string | undefined {
  const from = scheme.source ? ` in ${scheme.source}` : '';
  const verdict = scheme.verdicts.find((v) => v.label === label);
  if (!verdict) return `unknown label "${label}"; use ${scheme.verdicts.map((v) => v.label).join(', ')}${from ? ` (the verdicts${from})` : ''}`;
  if (verdict.needsReason && !note) return `a ${label} label needs a reason: give --note TEXT (the scheme${from} asks for one)`;
  if (!scheme.categories.length) return undefined;
  for (const tag of tags) {
    const category = scheme.categories.find((c) => c.id === tag);
    if (!category) return `unknown error category "${tag}"; use ${scheme.categories.map((c) => c.id).join(', ')} (the categories${from})`;
    if (category.needsReason && !note) return `the error category ${tag} needs a reason: give --note TEXT (the scheme${from} asks for one)`;
  }
  return undefined;
}

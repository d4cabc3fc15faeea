// A project's label scheme, `.gog/labels.json`: the verdicts annotators give (with their keys),
// the error categories a label may carry in its tags (with keys), and which of them need a
// reason (the label's note). `gog label` checks a label against it before writing, and the
// editor shows it (its review bar refuses the same labels). Without a scheme, today's three
// verdicts and free tags. The file is found in the trajectory's folder or a folder above it
// (the project holding `.gog/`), read bounded and inside `.gog/` only (real paths). The scheme
// itself, without files: src/core/labelSchemeRules.ts.
import * as path from 'node:path';
import { checkFolderFile, FolderFileRefused, isInside, readFolderFile } from '../core/folderFile';
import { parseJson } from '../core/json';
import { z } from 'zod';
import { DEFAULT_LABEL_SCHEME, LabelSchemeError, schemeProblem, type LabelScheme } from '../core/labelSchemeRules';
import { describeSchemaError, LABELS } from '../core/trajectory';

export { DEFAULT_LABEL_SCHEME, LabelSchemeError, type LabelScheme } from '../core/labelSchemeRules';

/** A scheme is a few dozen lines; larger is not one. */
const MAX_SCHEME_BYTES = 1024 * 1024;
/** How many folders up from a trajectory a project's `.gog/` is looked for. */
const MAX_DEPTH = 32;

const key = z.string().regex(/^[a-z0-9]$/, 'a key is one lower-case letter or digit');
export const verdictSchema = z.strictObject({
  label: z.enum(LABELS),
  key: key.optional(),
  name: z.string().max(80).optional(),
  needsReason: z.boolean().optional(),
});
export const categorySchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'a category id is lower-case letters, digits and dashes'),
  name: z.string().max(80).optional(),
  key: key.optional(),
  needsReason: z.boolean().optional(),
});
/** The file's format. */
export const labelSchemeSchema = z.strictObject({
  verdicts: z.array(verdictSchema).min(1).optional(),
  categories: z.array(categorySchema).max(100).optional(),
});

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

/** Where in `text` JSON.parse stopped, as "line N", when its message says (V8 gives a position). */
function syntaxErrorLine(e: unknown, text: string): string | undefined {
  if (!(e instanceof SyntaxError)) return undefined;
  const line = /\(line (\d+) column \d+\)/.exec(e.message);
  if (line) return `line ${line[1]}`;
  const at = /at position (\d+)/.exec(e.message);
  if (at) return `line ${text.slice(0, Number(at[1])).split('\n').length}`;
  // "Unexpected end of JSON input": the text stops too soon.
  return /end of JSON/.test(e.message) ? `line ${text.split('\n').length} (it ends too soon)` : undefined;
}

/**
 * The scheme of the project `dir` is in: the nearest `.gog/labels.json` at or above it, else the
 * default. `root`: look no higher than this folder (the editor's workspace folder).
 */
export async function findLabelScheme(dir: string, options: { root?: string } = {}): Promise<LabelScheme> {
  let at = path.resolve(dir);
  const root = options.root === undefined ? undefined : path.resolve(options.root);
  if (root !== undefined && at !== root && !isInside(root, at)) return DEFAULT_LABEL_SCHEME;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const gog = path.join(at, '.gog');
    const file = path.join(gog, 'labels.json');
    let bytes: Buffer | undefined;
    try {
      // The .gog folder itself a link out of the workspace: the scheme is not the project's.
      if (root !== undefined) await checkFolderFile(root, file, 'workspace folder');
      bytes = await readFolderFile(gog, file, { what: '.gog folder', maxBytes: MAX_SCHEME_BYTES });
    } catch (e) {
      throw new LabelSchemeError(`${file}: ${e instanceof FolderFileRefused ? e.reason : 'cannot be read'}; not used`);
    }
    if (bytes) {
      const text = bytes.toString('utf8');
      let value: unknown;
      try {
        value = parseJson(text);
      } catch (e) {
        const where = syntaxErrorLine(e, text);
        throw new LabelSchemeError(`${file} is not JSON${where ? ` (${where})` : ''}; fix it, or remove it for the default verdicts`);
      }
      return schemeFrom(value, file);
    }
    if (at === root) break;
    const up = path.dirname(at);
    if (up === at) break;
    at = up;
  }
  return DEFAULT_LABEL_SCHEME;
}

/**
 * Why a label does not fit the scheme (one line naming the scheme), or undefined when it does.
 * `giveReason`: how the user gives a reason where they label (`gog label`: --note TEXT).
 */
export function labelProblem(
  scheme: LabelScheme,
  label: string,
  tags: readonly string[],
  note: string | undefined,
  giveReason = 'give --note TEXT',
): string | undefined {
  const from = scheme.source ? ` in ${scheme.source}` : '';
  const problem = schemeProblem(scheme, label, tags, note);
  if (!problem) return undefined;
  switch (problem.kind) {
    case 'unknownVerdict':
      return `unknown label "${label}"; use ${scheme.verdicts.map((v) => v.label).join(', ')}${from ? ` (the verdicts${from})` : ''}`;
    case 'verdictNeedsReason':
      return `a ${label} label needs a reason: ${giveReason} (the scheme${from} asks for one)`;
    case 'unknownCategory':
      return `unknown error category "${problem.tag}"; use ${scheme.categories.map((c) => c.id).join(', ')} (the categories${from})`;
    case 'categoryNeedsReason':
      return `the error category ${problem.tag} needs a reason: ${giveReason} (the scheme${from} asks for one)`;
    default: {
      const never: never = problem;
      return never;
    }
  }
}

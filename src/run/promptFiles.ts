// Prompt files (`--prompts DIR`, setting gog.promptsFolder): a dialect's wording read from
// text files, so a checkpoint is run with the prompts it was trained on. For dialect D,
// NAME.txt is read from DIR/D/ or else from DIR itself, for each NAME of PROMPT_NAMES
// (first, after-image-search, after-text-search, force-answer); a file that is absent
// leaves the dialect's own wording. A folder may come from someone else: a file is read only
// when its real path is inside the folder's, and only up to a size no prompt needs.
import { createHash } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PROMPT_NAMES, type PromptName, type PromptTemplates } from '../core/dialects';
import type { DialectId } from '../core/trajectory';

export const MAX_PROMPT_BYTES = 256 * 1024;

export class PromptFilesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromptFilesError';
  }
}

export interface LoadedPrompts {
  templates: PromptTemplates;
  /** Each template's file, relative to the folder. */
  files: Partial<Record<PromptName, string>>;
  /** Of the names and texts, so runs given the same prompts can be told apart from others. */
  sha256: string;
  folder: string;
}

async function readInside(root: string, rel: string): Promise<string | undefined> {
  const file = path.join(root, rel);
  let real: string;
  try {
    real = await fs.realpath(file);
  } catch {
    return undefined;
  }
  if (!real.startsWith(root + path.sep)) throw new PromptFilesError(`${file} links outside the prompts folder; it is not read`);
  const handle = await fs.open(real, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new PromptFilesError(`${file} is not a regular file`);
    if (stat.size > MAX_PROMPT_BYTES) throw new PromptFilesError(`${file} is larger than ${MAX_PROMPT_BYTES / 1024} KB; a prompt is text`);
    const bytes = await handle.readFile();
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    // An editor's final newline is not part of the prompt; every other character is.
    return text.replace(/\r?\n$/, '');
  } catch (e) {
    if (e instanceof PromptFilesError) throw e;
    if (e instanceof TypeError) throw new PromptFilesError(`${file} is not UTF-8 text`);
    throw new PromptFilesError(`cannot read ${file}: ${(e as Error).message}`);
  } finally {
    await handle.close();
  }
}

/** Reads the templates for `dialect` from `folder`; throws a PromptFilesError in one line. */
export async function loadPromptFiles(folder: string, dialect: DialectId): Promise<LoadedPrompts> {
  let root: string;
  try {
    root = await fs.realpath(folder);
    if (!(await fs.stat(root)).isDirectory()) throw new Error();
  } catch {
    throw new PromptFilesError(`the prompts folder ${folder} is not a folder`);
  }
  const templates: PromptTemplates = {};
  const files: Partial<Record<PromptName, string>> = {};
  for (const name of PROMPT_NAMES) {
    for (const rel of [path.join(dialect, `${name}.txt`), `${name}.txt`]) {
      const text = await readInside(root, rel);
      if (text === undefined) continue;
      templates[name] = text;
      files[name] = rel;
      break;
    }
  }
  if (!Object.keys(templates).length) {
    throw new PromptFilesError(
      `the prompts folder ${folder} has none of ${PROMPT_NAMES.map((n) => `${n}.txt`).join(', ')} (in ${dialect}/ or the folder itself)`,
    );
  }
  const sha256 = createHash('sha256')
    .update(JSON.stringify(PROMPT_NAMES.map((n) => [n, templates[n] ?? null])))
    .digest('hex');
  return { templates, files, sha256, folder: root };
}

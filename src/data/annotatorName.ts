// Who is annotating: every label and edit records its annotator. Given (`--annotator`,
// `gog.annotator`), else GOG_ANNOTATOR, else the workspace's git user.name, else the
// account's user name. The git name is read from the config files, never by running `git`
// (a cloned workspace's own config could make `git` run commands; see gitHead.ts).
import * as os from 'node:os';
import * as path from 'node:path';
import { gitDirOf, readSmall } from './gitHead';

/** Longer names are refused: a name is shown on every label and is part of a file name's hash. */
export const MAX_ANNOTATOR_CHARS = 100;

/** Why a name cannot be an annotator's, or undefined when it can. */
export function annotatorNameProblem(name: string): string | undefined {
  if (!name.trim()) return 'is empty';
  if (name !== name.trim()) return 'starts or ends with a space';
  if ([...name].length > MAX_ANNOTATOR_CHARS) return `is longer than ${MAX_ANNOTATOR_CHARS} characters`;
  // Control characters would reach terminals and file listings.
  if (/\p{Cc}|\p{Cf}/u.test(name)) return 'holds a control character';
  return undefined;
}

/** `user.name` from git config text (the last one set wins, as in git); undefined when none. */
export function userNameIn(config: string): string | undefined {
  let section = '';
  let found: string | undefined;
  for (const raw of config.split('\n')) {
    const line = raw.trim();
    const header = /^\[\s*([^\]\s"]+)(?:\s+"[^"]*")?\s*\]\s*(.*)$/.exec(line);
    if (header) {
      section = header[1]!.toLowerCase();
      // `[user] name = x` on one line is allowed by git.
      const rest = header[2]!;
      if (!rest) continue;
      found = valueOf(section, rest) ?? found;
      continue;
    }
    found = valueOf(section, line) ?? found;
  }
  return found;
}

function valueOf(section: string, line: string): string | undefined {
  if (section !== 'user') return undefined;
  const m = /^name\s*=\s*(.*)$/i.exec(line);
  if (!m) return undefined;
  let value = '';
  let quoted = false;
  const text = m[1]!;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') quoted = !quoted;
    else if (c === '\\' && i + 1 < text.length) {
      const n = text[++i]!;
      value += n === 'n' ? '\n' : n === 't' ? '\t' : n;
    } else if (!quoted && (c === '#' || c === ';')) break;
    else value += c;
  }
  const name = value.trim();
  return name && !annotatorNameProblem(name) ? name : undefined;
}

/** The git user.name that applies in `dir`: the repository's config, else the user's global ones. */
export async function gitUserName(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const files: string[] = [];
  const gitDir = await gitDirOf(dir).catch(() => undefined);
  if (gitDir) {
    const common = (await readSmall(path.join(gitDir, 'commondir')))?.trim();
    files.push(path.join(common ? path.resolve(gitDir, common) : gitDir, 'config'));
  }
  const home = env.HOME || os.homedir();
  if (home) files.push(path.join(home, '.gitconfig'));
  const xdg = env.XDG_CONFIG_HOME || (home ? path.join(home, '.config') : '');
  if (xdg) files.push(path.join(xdg, 'git', 'config'));
  for (const file of files) {
    const text = await readSmall(file);
    const name = text === undefined ? undefined : userNameIn(text);
    if (name) return name;
  }
  return undefined;
}

/** The account's user name, when the system has one. */
function osUserName(env: NodeJS.ProcessEnv): string | undefined {
  let name: string | undefined;
  try {
    name = os.userInfo().username;
  } catch {
    name = env.USER ?? env.USERNAME;
  }
  return name && !annotatorNameProblem(name) ? name : undefined;
}

/** A name given for the annotator that cannot be one; the message names where it came from. */
export class AnnotatorNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnnotatorNameError';
  }
}

/**
 * The annotator when none is given: GOG_ANNOTATOR, the git user.name of `workspace`, the
 * account's name. A GOG_ANNOTATOR that cannot be a name is an AnnotatorNameError, not skipped.
 */
export async function defaultAnnotator(workspace: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const given = env.GOG_ANNOTATOR;
  if (given !== undefined && given !== '') {
    const problem = annotatorNameProblem(given);
    if (problem) throw new AnnotatorNameError(`GOG_ANNOTATOR ${problem}; set it to the annotator's name, or give --annotator NAME`);
    return given;
  }
  return (await gitUserName(workspace, env)) ?? osUserName(env);
}

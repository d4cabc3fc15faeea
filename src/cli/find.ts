// `gog find PATH QUERY [--regex] [--ignore-case] [--in FIELDS] [--limit N] [--json]
// [--timeout S] [--file-timeout S]`: the steps of the trajectories under PATH whose
// reasoning, reflection, query, evidence or answer holds QUERY, one line per text that holds
// it, printed as found. Text from the trajectories is someone else's: every line goes out
// through the terminal cleaning of main.ts (TerminalLine here), and --json lines are JSON.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { TerminalLine, type LinePart } from '../core/terminalText';
import { compileQuery, FIND_FIELDS, FindQueryError, parseFields, type FindQuery } from '../data/find/findQuery';
import { DEFAULT_FILE_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, findInTrajectories, type FindSummary, type TrajectoryMatch } from '../data/find/findInTrajectories';
import { MAX_COUNTED } from '../data/find/findQuery';
import { fieldLabel } from '../data/find/trajectoryMatcher';
import { UsageError, type Io } from './io';
import { parseCommandArgs } from './args';
import { FIND } from './commands';
import { StoppedBySignal, stoppedExitCode } from './stopSignal';

/** The longest budget taken: a day. */
const MAX_SECONDS = 24 * 60 * 60;

function seconds(flag: string, given: string | undefined, fallbackMs: number): number {
  if (given === undefined) return fallbackMs;
  const s = Number(given);
  if (!given.trim() || !Number.isFinite(s) || s <= 0 || s > MAX_SECONDS)
    throw new UsageError(`--${flag} takes seconds, more than 0 and at most ${MAX_SECONDS}; got "${given}"`);
  return s * 1000;
}

function shownPath(cwd: string, file: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

const countText = (n: number) => (n >= MAX_COUNTED ? `${MAX_COUNTED}+` : String(n));

/** One match on one line: where (file:line, sample, step, field), then the text with the match marked. */
export function matchLine(m: TrajectoryMatch, cwd: string): TerminalLine {
  const parts: LinePart[] = [
    { style: '35', text: shownPath(cwd, m.file) },
    ':',
    { style: '32', text: String(m.line) },
    ...(m.trajectory.sample ? ['  ', { style: '36' as const, text: m.trajectory.sample }] : []),
    { style: '2', text: `  step ${m.step} ${fieldLabel(m)}  ` },
    m.before,
    { style: '31', text: m.match },
    m.after,
    ...(m.count > 1 ? [{ style: '2' as const, text: `  (×${countText(m.count)})` }] : []),
  ];
  return TerminalLine.of(parts);
}

/** The --json line of a match. */
export function matchJson(m: TrajectoryMatch): string {
  return JSON.stringify({
    file: m.file,
    line: m.line,
    sample: m.trajectory.sample ?? null,
    trajectory: m.trajectory.id ?? null,
    dataset: m.trajectory.dataset ?? null,
    step: m.step,
    field: m.field,
    part: m.part ?? null,
    rank: m.rank ?? null,
    event: m.event,
    correction: !!m.correction,
    before: m.before,
    match: m.match,
    after: m.after,
    count: m.count,
  });
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

function tally(s: FindSummary): string {
  return `${plural(s.matches, 'match', 'matches')} in ${plural(s.matchedFiles, 'trajectory', 'trajectories')} of ${s.searched.toLocaleString('en')} searched`;
}

export async function runFind(argv: string[], io: Io, cwd: string, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, FIND);
  if (positionals.length !== 2) throw new UsageError('give a trajectory file or folder and the text to find: gog find PATH QUERY (quote a QUERY with spaces)');
  const [target, pattern] = positionals as [string, string];
  let limit: number | undefined;
  if (values.limit !== undefined) {
    limit = Number(values.limit);
    if (!/^\d+$/.test(values.limit) || !Number.isSafeInteger(limit) || limit < 1)
      throw new UsageError(`--limit takes a whole number of matches, 1 or more; got "${values.limit}"`);
  }
  const timeoutMs = seconds('timeout', values.timeout, DEFAULT_TIMEOUT_MS);
  const fileTimeoutMs = seconds('file-timeout', values['file-timeout'], DEFAULT_FILE_TIMEOUT_MS);
  let query: FindQuery;
  try {
    query = { pattern, regex: !!values.regex, ignoreCase: !!values['ignore-case'], fields: values.in ? parseFields(values.in) : FIND_FIELDS };
    compileQuery(query);
  } catch (e) {
    if (e instanceof FindQueryError) throw new UsageError(values.in && /field/.test(e.message) ? `--in: ${e.message}` : e.message);
    throw e;
  }
  const root = path.resolve(cwd, target);
  const stat = await fs.stat(root).catch(() => undefined);
  if (!stat) throw new UsageError(`${target}: no such file or folder`);
  if (!stat.isFile() && !stat.isDirectory()) throw new UsageError(`${target} is not a file or a folder`);

  const summary = await findInTrajectories({
    paths: [root],
    cwd,
    query,
    ...(limit !== undefined ? { limit } : {}),
    timeoutMs,
    fileTimeoutMs,
    signal,
    onMatch: (m) => io.stdout(values.json ? matchJson(m) : matchLine(m, cwd)),
    onNote: (line) => io.stderr(`gog: warning: ${line}`),
  });
  const took = `${(summary.ms / 1000).toFixed(1)} s`;
  const stop = summary.stopped;
  if (!stop || stop.why === 'limit') {
    if (!summary.found) io.stderr(`no trajectory files (trajectory.jsonl, *.trajectory.jsonl) under ${target}`);
    else io.stderr(`${tally(summary)}${stop ? ` (stopped at --limit ${stop.limit})` : ''}, ${took}`);
    return 0;
  }
  switch (stop.why) {
    case 'cancelled':
      // Stopped because the reader left (`| head`): nothing more to say.
      if (!(signal.reason instanceof StoppedBySignal && signal.reason.signal === 'SIGPIPE')) io.stderr(`cancelled: ${tally(summary)}, ${took}`);
      return stoppedExitCode(signal);
    case 'file-timeout':
      io.stderr(
        `gog: the search stopped: ${shownPath(cwd, stop.file)} took more than ${stop.ms / 1000} s (--file-timeout); a pattern that backtracks without end, like (a+)+$, does that: simplify it, or allow more time with --file-timeout (${tally(summary)} before it)`,
      );
      return 1;
    case 'timeout':
      io.stderr(
        `gog: the search stopped after ${stop.ms / 1000} s (--timeout), not done: ${tally(summary)} of ${summary.found.toLocaleString('en')} found; allow more time with --timeout`,
      );
      return 1;
    default: {
      const never: never = stop;
      return never;
    }
  }
}

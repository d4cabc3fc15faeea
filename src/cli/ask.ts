// `gog ask`: one query from the terminal.
import * as path from 'node:path';
import { oneLine } from '../core/agent';
import { WriteFailed } from '../core/files';
import { defaultRunDir, QueryError, runQuery, type QueryOutcome, type QuerySettings } from '../run/runQuery';
import { runSecrets } from '../run/runSecrets';
import { whyNoAnswer } from '../run/stopText';
import { settingDefaults, settingsFromCli, type RunSettings } from '../run/settingsSpec';
import { keysFromEnv } from '../search/services';
import { demoDir } from './packageRoot';
import { createStepPrinter } from '../run/stepPrinter';
import { indexingLines } from './indexingLines';
import { parseCommandArgs } from './args';
import { ASK } from './commands';

// Kept here too for the commands that import them from ask.
export { redactingIo, relativeToCwd, UsageError, type Io } from './io';
import { redactingIo, relativeToCwd, UsageError, type Io } from './io';

/**
 * The run settings from parsed flags over `base` (default: every setting's default, the
 * endpoint from OPENAI_BASE_URL), with the cache folders and the keys from the environment.
 */
export function commonSettings(
  values: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  cwd: string,
  base?: (defaults: RunSettings) => RunSettings,
): Omit<QuerySettings, 'image' | 'question' | 'runDir'> {
  const folders = { base: cwd, defaults: { corpusDir: path.join(demoDir(), 'corpus') } };
  const defaults = settingDefaults(folders);
  if (env.OPENAI_BASE_URL) defaults.endpoint = env.OPENAI_BASE_URL;
  let run;
  try {
    run = settingsFromCli(values, folders, base ? base(defaults) : defaults);
  } catch (e) {
    throw new UsageError(oneLine(e));
  }
  const cacheDir = typeof values.cache === 'string' ? path.resolve(cwd, values.cache) : path.join(cwd, '.gog', 'cache');
  return {
    ...run,
    cacheDir,
    // Even with --no-cache: indexes hold the corpus, not search results.
    indexDir: path.join(cacheDir, 'index'),
    searchKeys: keysFromEnv(env),
    ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
    uploadEnv: env,
  };
}

export function parseAskArgs(argv: string[], env: NodeJS.ProcessEnv, cwd: string): { settings: QuerySettings; json: boolean } {
  const { values } = parseCommandArgs(argv, ASK);
  if (!values.image) throw new UsageError('--image PATH is required');
  if (values.question === undefined) throw new UsageError('--question TEXT is required');
  const settings: QuerySettings = {
    ...commonSettings(values, env, cwd),
    image: path.resolve(cwd, values.image),
    question: values.question,
    runDir: values.out ? path.resolve(cwd, values.out) : defaultRunDir(cwd),
  };
  if (values.gold?.length) settings.gold = values.gold;
  return { settings, json: !!values.json };
}

/** Prints an outcome line for --json; `trajectory` is null when the run never started. */
export function outcomeJson(o: Partial<QueryOutcome> & { error?: string }): string {
  return JSON.stringify({
    answer: o.answer ?? null,
    stopReason: o.stopReason ?? 'error',
    turns: o.turns ?? 0,
    trajectory: o.trajectory ?? null,
    runDir: o.runDir ?? null,
    model: o.model ?? null,
    ...(o.score ? { score: o.score } : {}),
    ...(o.error ? { error: o.error } : {}),
  });
}

/** Runs one query with terminal output; returns the exit code. */
export async function runAsk(settings: QuerySettings, json: boolean, terminal: Io, signal: AbortSignal): Promise<number> {
  const io = redactingIo(terminal, runSecrets(settings));
  const steps = json ? io.stderr : io.stdout;
  const printer = createStepPrinter({ write: steps, width: io.width });
  let outcome: QueryOutcome;
  try {
    outcome = await runQuery(settings, {
      signal,
      onEvent: printer,
      onNotice: (m) => io.stderr(`gog: warning: ${m}`),
      onIndexing: indexingLines(io.stderr),
      onStarted: ({ trajectory, model }) => steps(`model ${model} · ${settings.dialect} · trajectory ${relativeToCwd(trajectory)}`),
    });
  } catch (e) {
    const message = oneLine(e);
    io.stderr(`gog: ${message}`);
    if (json) io.stdout(outcomeJson({ error: message }));
    // 2: nothing was written (bad input, or a disk that could not take even the run's first files).
    return e instanceof QueryError || (e instanceof WriteFailed && e.nothingWritten) ? 2 : 1;
  }
  if (json) io.stdout(outcomeJson(outcome));
  else steps(`trajectory: ${relativeToCwd(outcome.trajectory)}`);
  if (outcome.stopReason === 'answered') return 0;
  io.stderr(`gog: ${whyNoAnswer(outcome, settings.maxTurns)} (trajectory so far: ${relativeToCwd(outcome.trajectory)})`);
  return 1;
}

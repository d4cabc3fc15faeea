// `gog rerun TRAJECTORY --from-step N [--out DIR] [ask's model and search options]`: the run
// continued from a corrected step with the live model and real tools, as a new branch run.
import * as path from 'node:path';
import { oneLine } from '../core/agent';
import { WriteFailed } from '../core/files';
import { NotATrajectory, readHeader } from '../run/annotate';
import { branchSettings, rerunFromStep, type RerunOutcome } from '../run/rerun';
import { QueryError } from '../run/runQuery';
import { runSecrets } from '../run/runSecrets';
import { createStepPrinter } from '../run/stepPrinter';
import { commonSettings, outcomeJson, redactingIo, relativeToCwd, UsageError, type Io } from './ask';
import { parseCommandArgs } from './args';
import { RERUN } from './commands';

export async function runRerun(argv: string[], terminal: Io, env: NodeJS.ProcessEnv, cwd: string, signal: AbortSignal): Promise<number> {
  const parsed = parseCommandArgs(argv, RERUN);
  const { values, positionals } = parsed;
  const [file, ...extra] = positionals;
  if (!file || extra.length) throw new UsageError('give one trajectory file: gog rerun TRAJECTORY --from-step N');
  const raw = values['from-step'];
  if (raw === undefined) throw new UsageError('--from-step N is required: the step to carry out anew');
  const fromStep = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || fromStep < 1) throw new UsageError(`--from-step takes a step number from 1; got "${raw}"`);
  const trajectory = path.resolve(cwd, file);
  // The parent's dialect, boxes and budget are the defaults; flags given still apply over them.
  let header;
  try {
    header = await readHeader(trajectory);
  } catch (e) {
    terminal.stderr(`gog: ${e instanceof NotATrajectory ? e.message : oneLine(e)}`);
    return 2;
  }
  const settings = commonSettings(values, env, cwd, (defaults) => branchSettings(defaults, header));
  const json = !!values.json;
  const io = redactingIo(terminal, runSecrets(settings));
  const steps = json ? io.stderr : io.stdout;
  const printer = createStepPrinter({ write: steps, width: io.width });
  let outcome: RerunOutcome;
  try {
    outcome = await rerunFromStep(
      settings,
      { trajectory, fromStep, ...(values.out ? { out: path.resolve(cwd, values.out) } : {}) },
      {
        signal,
        onEvent: printer,
        onNotice: (m) => io.stderr(`gog: warning: ${m}`),
        onStarted: ({ trajectory: branch, model }) =>
          steps(`model ${model} · ${settings.dialect} · branch of ${relativeToCwd(trajectory)} from step ${fromStep} · trajectory ${relativeToCwd(branch)}`),
      },
    );
  } catch (e) {
    const message = oneLine(e);
    io.stderr(`gog: ${message}`);
    if (json) io.stdout(outcomeJson({ error: message }));
    return e instanceof QueryError || (e instanceof WriteFailed && e.nothingWritten) ? 2 : 1;
  }
  if (json) io.stdout(outcomeJson(outcome));
  else steps(`branch: ${relativeToCwd(outcome.branch)}`);
  if (outcome.stopReason === 'answered') return 0;
  io.stderr(
    `gog: the branch ended without an answer (${outcome.stopReason}${outcome.error ? `: ${outcome.error}` : ''}); trajectory so far: ${relativeToCwd(outcome.branch)}`,
  );
  return 1;
}

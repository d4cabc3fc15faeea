// `Glance-or-Gaze: Run Benchmark…`: pick a dataset file, make the run's choices (a list of
// them with their values, remembered per dataset; src/run/benchChoices.ts checks them), and run it
// with VS Code's progress and Cancel; the run folder appears in the Runs view as results
// are written (its watchers see them). The runner is reached through ./benchRunner; this stays thin.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { oneLine } from '../core/agent';
import { newRunId } from '../data/runFolder';
import { publicEndpoint } from '../model/endpoint';
import {
  BenchChoiceError,
  checkChoices,
  choicesFromScript,
  choicesKey,
  choicesOfRun,
  choicesToRemember,
  DEFAULT_CHOICES,
  parseChoice,
  rememberedChoices,
  type BenchChoices,
  type ChoiceField,
} from '../run/benchChoices';
import { runsOfDataset, type DatasetRun } from '../run/datasetRuns';
import { PRESET_IDS } from '../run/presets';
import { getApiKey } from './apiKey';
import { startBenchmark } from './benchRunner';
import type { RunDeps } from './runInWindow';
import { newRunDir } from './runInWindow';
import { getJudgeApiKey, judgeKeySource, setJudgeApiKeyCommand } from './judgeKey';
import { getSearchCredentials } from './searchKeys';
import { readSettings } from './settings';
import { progressText, showError, showInformation } from './safeOutput';

const DATASET_FILTER = { 'Benchmark datasets': ['json', 'jsonl', 'parquet'] };

export interface BenchCommandOptions {
  /** The script's choices, checked (src/run/benchChoices.ts); absent fields take the defaults, not what was remembered. */
  choices?: Record<string, unknown>;
  /** false: skip the questions and run at once (scripted use). */
  confirm?: boolean;
}

/** The command's options as a script passed them: the choices, checked when the dataset is known; confirm. */
export function benchCommandOptions(given: unknown): BenchCommandOptions {
  if (!given || typeof given !== 'object' || Array.isArray(given)) return {};
  const { confirm, ...choices } = given as Record<string, unknown>;
  return { choices, ...(confirm === false ? { confirm: false } : {}) };
}

type Step = Exclude<ChoiceField, 'judgeEndpoint' | 'judgeModel'> | 'run' | 'judge' | 'judgeKey';
type Item = vscode.QuickPickItem & { step: Step };

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** The list: Run first, then each choice with its current value; picking one edits it. */
function choiceItems(c: BenchChoices, dataset: string, keySource: string): Item[] {
  const runWhat = [
    c.resume ? `take up ${path.basename(c.resume)}` : `${c.limit ? `${plural(c.limit, 'sample')} of ` : ''}${path.basename(dataset)}`,
    `${c.concurrency} at a time`,
    ...(c.rollouts > 1 ? [plural(c.rollouts, 'rollout')] : []),
    ...(c.shard ? [`shard ${c.shard}`] : []),
  ].join(', ');
  return [
    {
      step: 'run',
      label: '$(play) Run',
      description: runWhat,
      detail: 'The gog.* settings apply to every sample; results appear in the Runs view as they come.',
    },
    { step: 'concurrency', label: 'Concurrency', description: String(c.concurrency), detail: 'Model requests in flight at once (--concurrency).' },
    { step: 'limit', label: 'Limit', description: c.limit ? String(c.limit) : 'all samples', detail: 'The first N samples only (--limit).' },
    { step: 'shard', label: 'Shard', description: c.shard ?? 'the whole dataset', detail: 'I/N, 0-based: samples i with i mod N = I (--shard).' },
    {
      step: 'resume',
      label: 'Resume',
      description: c.resume ? path.basename(c.resume) : 'a new run',
      detail: 'Take up a stopped run of this dataset in .gog/runs/ (--resume).',
    },
    { step: 'rollouts', label: 'Rollouts', description: String(c.rollouts), detail: 'Trajectories per sample (--rollouts).' },
    {
      step: 'judge',
      label: 'Judge',
      description: c.judgeEndpoint ? `${c.judgeModel ?? ''} at ${publicEndpoint(c.judgeEndpoint)}` : 'none',
      detail: 'A model that judges each answer against the gold (--judge-endpoint, --judge-model).',
    },
    {
      step: 'judgeKey',
      label: "Judge's API key",
      description: keySource,
      detail: "Kept in SecretStorage under its own name; sent to the judge's endpoint only.",
    },
    { step: 'map', label: 'Field map', description: c.map ?? 'detected', detail: 'key=field pairs: question, answer and image at least (--map).' },
    { step: 'preset', label: 'Preset', description: c.preset ?? 'from gog.preset', detail: "A peer's rollout to imitate (--preset)." },
    {
      step: 'promptsDir',
      label: 'Prompts folder',
      description: c.promptsDir ?? 'from gog.promptsFolder',
      detail: "Prompt files replacing the dialect's wording (--prompts).",
    },
  ];
}

/** One text choice in an input box, checked as it is typed by the same rule as the CLI's flag. */
async function askText(field: ChoiceField, title: string, prompt: string, value: string | undefined, base: string): Promise<{ value: string } | undefined> {
  const text = await vscode.window.showInputBox({
    title,
    prompt,
    value: value ?? '',
    ignoreFocusOut: true,
    validateInput: (v) => {
      try {
        parseChoice(field, v, base);
        return undefined;
      } catch (e) {
        return oneLine(e);
      }
    },
  });
  return text === undefined ? undefined : { value: text };
}

/** Edits one choice; returns the choices as they now are (unchanged when the question was dismissed). */
async function editChoice(step: Exclude<Step, 'run'>, c: BenchChoices, dataset: string, base: string, secrets: vscode.SecretStorage): Promise<BenchChoices> {
  const title = `Glance-or-Gaze: run ${path.basename(dataset)}`;
  const set = <F extends ChoiceField>(field: F, text: string): BenchChoices => {
    const next = { ...c };
    const v = parseChoice(field, text, base);
    if (v === undefined) delete next[field];
    else next[field] = v;
    return next;
  };
  switch (step) {
    case 'concurrency':
    case 'rollouts': {
      const t = await askText(step, title, step === 'concurrency' ? 'Model requests in flight at once.' : 'Trajectories per sample.', String(c[step]), base);
      return t && t.value.trim() ? set(step, t.value) : c;
    }
    case 'limit':
    case 'shard':
    case 'map': {
      const prompts = {
        limit: 'How many samples to run (empty: all of them).',
        shard: 'The shard to run, I/N (0-based; empty: the whole dataset).',
        map: 'Fields of the records, e.g. question=q,answer=gold,image=img (empty: detect the layout).',
      };
      const t = await askText(step, title, prompts[step], step === 'limit' ? (c.limit ? String(c.limit) : '') : c[step], base);
      return t ? set(step, t.value) : c;
    }
    case 'promptsDir': {
      const t = await askText(step, title, 'A folder of prompt files (empty: the gog.promptsFolder setting).', c.promptsDir, base);
      return t ? set(step, t.value) : c;
    }
    case 'preset': {
      const items = [{ label: 'from gog.preset', id: '' }, ...PRESET_IDS.map((id) => ({ label: id, id }))];
      const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'The preset for this run', ignoreFocusOut: true });
      return picked ? set('preset', picked.id) : c;
    }
    case 'resume': {
      const runs = await runsOfDataset(path.join(base, '.gog', 'runs'), dataset);
      const items = [
        { label: 'A new run', dir: '', description: '' },
        ...runs.map((r) => ({
          label: path.basename(r.dir),
          dir: r.dir,
          description: `${r.meta.started.replace('T', ' ').slice(0, 16)} · ${plural(r.meta.samples, 'sample')}${r.meta.rollouts > 1 ? ` × ${r.meta.rollouts}` : ''}`,
        })),
      ];
      const picked = await vscode.window.showQuickPick(items, {
        title,
        placeHolder: runs.length
          ? 'The run to take up where it stopped (its limit, rollouts, judge and map come with it)'
          : 'No run of this dataset in .gog/runs/ yet',
        ignoreFocusOut: true,
      });
      if (!picked) return c;
      if (!picked.dir) {
        const next = { ...c };
        delete next.resume;
        return next;
      }
      const run = runs.find((r) => r.dir === picked.dir)!;
      return choicesOfRun(run.meta, run.dir, c);
    }
    case 'judge': {
      const endpoint = await askText('judgeEndpoint', title, "The judge's OpenAI-compatible base URL (empty: no judge).", c.judgeEndpoint, base);
      if (!endpoint) return c;
      if (!endpoint.value.trim()) {
        const next = { ...c };
        delete next.judgeEndpoint;
        delete next.judgeModel;
        return next;
      }
      const model = await vscode.window.showInputBox({
        title,
        prompt: 'The judge model (--judge-model).',
        value: c.judgeModel ?? '',
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : '--judge-endpoint URL and --judge-model NAME go together'),
      });
      if (!model) return c;
      return { ...set('judgeEndpoint', endpoint.value), judgeModel: model.trim() };
    }
    case 'judgeKey':
      await setJudgeApiKeyCommand(secrets);
      return c;
    default: {
      const never: never = step;
      return never;
    }
  }
}

const KEY_SOURCES = { stored: 'stored in SecretStorage', environment: 'from GOG_JUDGE_API_KEY', none: 'none' } as const;

/** The list of choices until Run (the choices) or Escape (undefined). */
async function chooseInteractively(start: BenchChoices, dataset: string, base: string, secrets: vscode.SecretStorage): Promise<BenchChoices | undefined> {
  let c = start;
  for (;;) {
    const items = choiceItems(c, dataset, KEY_SOURCES[await judgeKeySource(secrets)]);
    const picked = await vscode.window.showQuickPick(items, {
      title: `Glance-or-Gaze: run ${path.basename(dataset)}`,
      placeHolder: 'Run, or pick a choice to change it',
      ignoreFocusOut: true,
      matchOnDescription: true,
    });
    if (!picked) return undefined;
    if (picked.step === 'run') {
      try {
        return checkChoices(c);
      } catch (e) {
        void showError(`Glance-or-Gaze: ${oneLine(e)}`);
        continue;
      }
    }
    c = await editChoice(picked.step, c, dataset, base, secrets);
  }
}

/** The run of this dataset in .gog/runs/ at `dir`, as the Resume list offers them; else a one-line error. */
async function runToResume(dir: string, dataset: string, base: string): Promise<DatasetRun> {
  const run = (await runsOfDataset(path.join(base, '.gog', 'runs'), dataset)).find((r) => path.resolve(r.dir) === path.resolve(dir));
  if (!run) throw new BenchChoiceError(`resume: ${dir} is not a run of ${path.basename(dataset)} in .gog/runs/`);
  return run;
}

/**
 * The choices of this run: a script's with confirm false (over the defaults, or over the
 * choices of the run it takes up; checked), else the list's, which starts from the script's
 * or from those remembered for the dataset.
 */
async function chooseRun(context: vscode.ExtensionContext, dataset: string, base: string, o: BenchCommandOptions): Promise<BenchChoices | undefined> {
  let start: BenchChoices;
  if (o.choices && (o.confirm === false || Object.keys(o.choices).length)) {
    const resume = parseChoice('resume', o.choices.resume, base);
    const run = resume ? await runToResume(resume, dataset, base) : undefined;
    start = choicesFromScript(o.choices, run ? choicesOfRun(run.meta, run.dir, DEFAULT_CHOICES) : DEFAULT_CHOICES, base);
  } else start = rememberedChoices(context.workspaceState.get(choicesKey(dataset)), base);
  const c = o.confirm === false ? start : await chooseInteractively(start, dataset, base, context.secrets);
  if (c?.resume) await runToResume(c.resume, dataset, base);
  return c;
}

export async function runBenchmarkCommand(deps: RunDeps, given?: unknown, options: BenchCommandOptions = {}): Promise<string | undefined> {
  const { context, log } = deps;
  if (!vscode.workspace.isTrusted) {
    void showError('Glance-or-Gaze does not run benchmarks in an untrusted workspace: its settings choose the endpoint that receives your API key.');
    return undefined;
  }
  const dataset =
    given instanceof vscode.Uri
      ? given
      : (await vscode.window.showOpenDialog({ title: 'Glance-or-Gaze: benchmark dataset to run', canSelectMany: false, filters: DATASET_FILTER }))?.[0];
  if (!dataset) return undefined;
  const { base } = newRunDir(deps, dataset);
  let settings;
  try {
    settings = readSettings(dataset, base, vscode.Uri.joinPath(context.extensionUri, 'media', 'demo', 'corpus').fsPath);
  } catch (e) {
    void showError(`Glance-or-Gaze: ${oneLine(e)}`);
    return undefined;
  }
  let chosen: BenchChoices | undefined;
  try {
    chosen = await chooseRun(context, dataset.fsPath, base, options);
    if (!chosen) return undefined;
    // The preset or prompts folder chosen for this run stands in for its setting, checked as the setting would be (a preset beside a setting it fixes is refused).
    settings = readSettings(dataset, base, vscode.Uri.joinPath(context.extensionUri, 'media', 'demo', 'corpus').fsPath, {
      ...(chosen.preset ? { preset: chosen.preset } : {}),
      ...(chosen.promptsDir ? { promptsFolder: chosen.promptsDir } : {}),
    });
  } catch (e) {
    void showError(`Glance-or-Gaze: ${oneLine(e)}`);
    return undefined;
  }
  await context.workspaceState.update(choicesKey(dataset.fsPath), choicesToRemember(chosen));
  const out = path.join(
    base,
    '.gog',
    'runs',
    `${newRunId()}-${path
      .basename(dataset.fsPath)
      .replace(/\.[^.]+$/, '')
      .replace(/[^\w.-]+/g, '-')}`,
  );
  const apiKey = await getApiKey(context.secrets);
  const { keys: searchKeys, s3 } = await getSearchCredentials(context.secrets);
  const cacheDir = path.join(base, '.gog', 'cache');
  const judgeKey = chosen.judgeEndpoint ? await getJudgeApiKey(context.secrets) : undefined;
  log.info(
    `bench: ${dataset.fsPath} → ${chosen.resume ?? out}${chosen.resume ? ' (resumed)' : ''} · ${settings.endpoint} · ${chosen.limit ?? 'all'} samples, ${chosen.concurrency} at a time, ${chosen.rollouts} rollout(s)${chosen.shard ? `, shard ${chosen.shard}` : ''}${chosen.judgeModel ? `, judge ${chosen.judgeModel}` : ''}`,
  );
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: progressText(`Glance-or-Gaze: ${path.basename(dataset.fsPath)}`), cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => controller.abort());
      let last = 0;
      try {
        const { run, summary } = await startBenchmark(
          dataset.fsPath,
          {
            out,
            choices: chosen,
            ...(judgeKey ? { judgeKey } : {}),
            workspace: base,
            settings: {
              ...settings,
              cacheDir,
              indexDir: path.join(cacheDir, 'index'),
              searchKeys,
              uploadEnv: { ...process.env, ...(s3 ? { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey } : {}) },
              ...(apiKey ? { apiKey } : {}),
            },
          },
          ({ done, total, correct, note }) => {
            progress.report({
              message: note ?? `${done} of ${total} · ${done ? ((100 * correct) / done).toFixed(1) : '0'}% right`,
              increment: total ? (100 * (done - last)) / total : 0,
            });
            last = done;
          },
          controller.signal,
        );
        const open = 'Open Run';
        void showInformation(`Glance-or-Gaze: ${summary.done} results, ${(summary.all.accuracy * 100).toFixed(1)}% exact match.`, open).then((c) =>
          c === open ? vscode.commands.executeCommand('gog.openRun', vscode.Uri.file(run)) : undefined,
        );
        return run;
      } catch (e) {
        const message = oneLine(e);
        log.error(`bench: ${message}`);
        void showError(`Glance-or-Gaze: ${controller.signal.aborted ? 'the benchmark was cancelled; what finished is in the Runs view' : message}`);
        return undefined;
      } finally {
        cancel.dispose();
      }
    },
  );
}

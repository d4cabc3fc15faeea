// `Glance-or-Gaze: Run Benchmark…`: pick a dataset file, confirm the settings, and run it
// with VS Code's progress and Cancel; the run folder appears in the Runs view as results
// are written (its watchers see them). The runner is reached through ./benchRunner; this stays thin.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { oneLine } from '../core/agent';
import { newRunId } from '../run/runFolder';
import { getApiKey } from './apiKey';
import { startBenchmark } from './benchRunner';
import type { RunDeps } from './runInWindow';
import { newRunDir } from './runInWindow';
import { getSearchCredentials } from './searchKeys';
import { readSettings } from './settings';
import { progressText, showError, showInformation } from './safeOutput';

const DATASET_FILTER = { 'Benchmark datasets': ['json', 'jsonl', 'parquet'] };
const DEFAULT_CONCURRENCY = 4;

export interface BenchCommandOptions {
  limit?: number;
  concurrency?: number;
  /** false: skip the questions and run at once (scripted use). */
  confirm?: boolean;
}

const wholeNumber = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);

/** The command's options as a script passed them: only the fields it knows, with sane values. */
export function benchCommandOptions(given: unknown): BenchCommandOptions {
  if (!given || typeof given !== 'object') return {};
  const o = given as Record<string, unknown>;
  const [limit, concurrency] = [wholeNumber(o.limit), wholeNumber(o.concurrency)];
  return {
    ...(limit ? { limit } : {}),
    ...(concurrency ? { concurrency: Math.min(concurrency, 256) } : {}),
    ...(o.confirm === false ? { confirm: false } : {}),
  };
}

async function confirmSettings(
  dataset: string,
  endpoint: string,
  model: string,
  o: BenchCommandOptions,
): Promise<{ limit?: number; concurrency: number } | undefined> {
  if (o.confirm === false) return { ...(o.limit ? { limit: o.limit } : {}), concurrency: o.concurrency ?? DEFAULT_CONCURRENCY };
  const limitText = await vscode.window.showInputBox({
    title: `Glance-or-Gaze: run ${path.basename(dataset)}`,
    prompt: 'How many samples to run (empty: all of them).',
    value: o.limit ? String(o.limit) : '',
    ignoreFocusOut: true,
    validateInput: (v) => (!v.trim() || /^[1-9]\d*$/.test(v.trim()) ? undefined : 'A whole number, or empty for all.'),
  });
  if (limitText === undefined) return undefined;
  const limit = limitText.trim() ? Number(limitText) : undefined;
  const concurrency = o.concurrency ?? DEFAULT_CONCURRENCY;
  const run = 'Run';
  const choice = await showInformation(
    `Run ${limit ? `${limit} samples of ` : ''}${path.basename(dataset)} against ${endpoint} (${model || 'the first served model'}), ${concurrency} at a time?`,
    { modal: true, detail: 'The gog.* settings apply to every sample. Results go to .gog/runs/ and appear in the Runs view as they come.' },
    run,
  );
  return choice === run ? { ...(limit ? { limit } : {}), concurrency } : undefined;
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
  const chosen = await confirmSettings(dataset.fsPath, settings.endpoint, settings.model, options);
  if (!chosen) return undefined;
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
  log.info(`bench: ${dataset.fsPath} → ${out} · ${settings.endpoint} · ${chosen.limit ?? 'all'} samples, ${chosen.concurrency} at a time`);
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
            ...chosen,
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

// `gog bench DATASET`: a benchmark run from the terminal, over src/run/bench.ts.
import * as path from 'node:path';
import { oneLine } from '../core/agent';
import { terminalSafe } from '../core/terminalText';
import { parseFieldMap, MappingError, type FieldMap } from '../data/datasets';
import type { RunSummary } from '../data/results';
import { isScorerId, SCORER_IDS } from '../data/scoring/metrics';
import { BenchError, runBench, type BenchOptions } from '../run/bench';
import { checkJudge, parseWholeNumber } from '../run/benchChoices';
import { newRunId } from '../data/runFolder';
import { settingDefaults, settingsFromCli } from '../run/settingsSpec';
import { parseShardRequest, resolveShard, shardDir, ShardError, type ResolvedShard } from '../run/shard';
import { layoutOf, planFile, readPlan } from '../run/shardPlan';
import { DEFAULT_HEARTBEAT_MS } from '../run/benchLock';
import { keysFromEnv } from '../search/services';
import { redactingIo, relativeToCwd, UsageError, type Io } from './io';
import { demoDir } from './packageRoot';
import { progressDisplay } from './progressBar';
import { runSecrets } from '../run/runSecrets';
import { parseCommandArgs } from './args';
import { BENCH } from './commands';
import { shellWord } from './usage';
import { indexingLines } from './indexingLines';
import { summaryLines } from './summaryLines';

export interface BenchArgs {
  options: BenchOptions;
  json: boolean;
  /** The command that takes the run up again where it stopped: these arguments, with --resume. */
  resumeCommand: string;
}

/**
 * How often the lock of a run folder is renewed: GOG_LOCK_HEARTBEAT_SECONDS (0.1 to 600), 5 by
 * default. Another machine takes a lock over after three intervals without a beat.
 */
function heartbeatMs(env: NodeJS.ProcessEnv): number {
  const v = env.GOG_LOCK_HEARTBEAT_SECONDS;
  if (v === undefined || v === '') return DEFAULT_HEARTBEAT_MS;
  const seconds = Number(v);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(v) || seconds < 0.1 || seconds > 600)
    throw new UsageError(`GOG_LOCK_HEARTBEAT_SECONDS must be a number of seconds from 0.1 to 600; got "${v}"`);
  return Math.round(seconds * 1000);
}

function whole(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  try {
    return parseWholeNumber(flag, v);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export function parseBenchArgs(argv: string[], env: NodeJS.ProcessEnv, cwd: string): BenchArgs {
  const parsed = parseCommandArgs(argv, BENCH);
  const { values, positionals } = parsed;
  if (positionals.length !== 1)
    throw new UsageError(positionals.length ? `one dataset at a time; got ${positionals.length}` : 'gog bench needs a DATASET file (JSON, JSONL or Parquet)');
  const endpoints = values.endpoint ?? [];
  const folders = { base: cwd, defaults: { corpusDir: path.join(demoDir(), 'corpus') } };
  const defaults = settingDefaults(folders);
  if (env.OPENAI_BASE_URL) defaults.endpoint = env.OPENAI_BASE_URL;
  let run;
  try {
    run = settingsFromCli({ ...values, endpoint: endpoints[0] }, folders, defaults);
  } catch (e) {
    throw new UsageError(oneLine(e));
  }
  try {
    checkJudge(values['judge-endpoint'], values['judge-model']);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.shards !== undefined && !values.shard)
    throw new UsageError('--shards N goes with --shard auto (or --shard I/N): it is the count of a sharded run');
  if (values.resume && !values.out) throw new UsageError('--resume takes up a run: give its folder with --out RUN_DIR');
  const base = values.out ? path.resolve(cwd, values.out) : path.join(cwd, '.gog', 'runs', `bench-${newRunId()}`);
  let map: FieldMap | undefined;
  let sharded: ResolvedShard | undefined;
  try {
    if (values.map) map = parseFieldMap(values.map);
    if (values.shard) {
      const request = parseShardRequest(values.shard, whole('shards', values.shards), env);
      // A run already planned (its first shard started) gives the count and the task ids: a re-submitted task joins it.
      const plan = readPlan(base);
      sharded = resolveShard(request, plan && layoutOf(plan), planFile(base));
    }
  } catch (e) {
    if (e instanceof MappingError || e instanceof ShardError) throw new UsageError(e.message);
    throw e;
  }
  if (values.scorer !== undefined && !isScorerId(values.scorer)) throw new UsageError(`--scorer takes one of ${SCORER_IDS.join(', ')}; got "${values.scorer}"`);
  const shard = sharded?.shard;
  const cacheDir = values.cache ? path.resolve(cwd, values.cache) : path.join(cwd, '.gog', 'cache');
  // Its own key: the model's key is not sent to another server.
  const judgeKey = env.GOG_JUDGE_API_KEY;
  const options: BenchOptions = {
    ...run,
    dataset: path.resolve(cwd, positionals[0]!),
    workspace: cwd,
    ...(map ? { map } : {}),
    ...(values.layout ? { layout: values.layout } : {}),
    ...(values.scorer !== undefined && isScorerId(values.scorer) ? { scorer: values.scorer } : {}),
    ...(values.images ? { images: path.resolve(cwd, values.images) } : {}),
    ...(values.limit !== undefined ? { limit: whole('limit', values.limit)! } : {}),
    concurrency: whole('concurrency', values.concurrency) ?? 8,
    ...(sharded ? { shard: sharded.shard, plan: { dir: base, taskIds: sharded.taskIds } } : {}),
    heartbeatMs: heartbeatMs(env),
    resume: !!values.resume,
    rollouts: whole('rollouts', values.rollouts) ?? 1,
    ...(values['judge-endpoint'] && values['judge-model']
      ? { judge: { endpoint: values['judge-endpoint'], model: values['judge-model'], ...(judgeKey ? { apiKey: judgeKey } : {}) } }
      : {}),
    runDir: shard ? shardDir(base, shard) : base,
    extraEndpoints: endpoints.slice(1),
    ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
    searchKeys: keysFromEnv(env),
    uploadEnv: env,
    cacheDir,
    indexDir: path.join(cacheDir, 'index'),
  };
  // The same command again, with --resume: a shard's --shard (as given, auto included) and --out RUN_DIR (the run's, not the shard's folder) are repeated with the rest.
  const again = argv.includes('--resume') ? argv : [...argv, '--resume'];
  const auto = sharded && values.shard?.trim() === 'auto' ? ` (outside the array job, --shard ${sharded.shard.index}/${sharded.shard.count} for auto)` : '';
  return { options, json: !!values.json, resumeCommand: ['gog', 'bench', ...again].map(shellWord).join(' ') + auto };
}

/** The `--json` line's `official`: each benchmark's headline. */
function officialJson(summary: RunSummary): Record<string, { metric: string; score: number; samples: number }> {
  return Object.fromEntries(
    Object.entries(summary.byBenchmark).flatMap(([k, g]) =>
      g.official ? [[k, { metric: g.official.metric, score: g.official.score, samples: g.official.samples }]] : [],
    ),
  );
}

export async function runBenchCommand(argv: string[], env: NodeJS.ProcessEnv, cwd: string, terminal: Io, signal: AbortSignal): Promise<number> {
  const { options, json, resumeCommand } = parseBenchArgs(argv, env, cwd);
  const io = redactingIo(terminal, runSecrets(options));
  const tty = !!process.stderr.isTTY;
  // The bar's own carriage returns redraw its line; anything else in it is cleaned like every line printed.
  const display = progressDisplay((t) => process.stderr.write(t.split('\r').map(terminalSafe).join('\r')), { tty, width: process.stderr.columns ?? 100 });
  try {
    const outcome = await runBench(options, {
      signal,
      onNotice: (l) => io.stderr(`gog: ${l}`),
      onIndexing: indexingLines(io.stderr),
      onStarted: (s) => {
        for (const p of s.problems.slice(0, 20)) io.stderr(`gog: ${path.basename(options.dataset)}: ${p.where}: ${p.message} (skipped)`);
        if (s.problems.length > 20) io.stderr(`gog: … and ${s.problems.length - 20} more records skipped (all are listed in bench.json)`);
        io.stderr(
          `gog bench: ${s.samples} samples${options.rollouts > 1 ? ` × ${options.rollouts} rollouts` : ''} · model ${s.model} · ${options.concurrency} at a time · ${relativeToCwd(s.runDir)}${s.resumed ? ` · ${s.resumed} already done` : ''}`,
        );
      },
      onProgress: (p) => display.update(p),
    });
    display.end();
    const s = outcome.summary;
    if (json) {
      io.stdout(
        JSON.stringify({
          samples: outcome.samples,
          loaded: outcome.loaded,
          skipped: outcome.problems.length,
          done: s.done,
          finished: outcome.finished,
          errors: outcome.errors,
          sampleErrors: outcome.sampleErrors,
          accuracy: s.all.accuracy,
          f1: s.all.f1,
          ...(s.all.judge !== undefined ? { judge: s.all.judge } : {}),
          official: officialJson(s),
          ...(s.officialAverage ? { officialAverage: s.officialAverage.score } : {}),
          run: outcome.runDir,
        }),
      );
    } else {
      for (const line of summaryLines(s)) io.stdout(line);
      io.stdout(`run: ${relativeToCwd(outcome.runDir)}`);
    }
    const total = outcome.samples * options.rollouts;
    if (s.done < total) {
      io.stderr(`gog: stopped with ${s.done} of ${total} done; to finish, run again with --resume: ${resumeCommand}`);
      return 1;
    }
    if (outcome.errors) {
      // The endpoint failed, not the samples: the run is not finished until they have run again.
      io.stderr(
        `gog: ${outcome.errors} sample${outcome.errors === 1 ? '' : 's'} ended in an endpoint error (${outcome.firstError ?? 'see results.jsonl'}); to run ${outcome.errors === 1 ? 'it' : 'them'} again, run again with --resume: ${resumeCommand}`,
      );
      return 1;
    }
    return 0;
  } catch (e) {
    display.end();
    if (e instanceof BenchError) {
      io.stderr(`gog: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

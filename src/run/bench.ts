// A benchmark run, shared by `gog bench` and the VS Code command: load the dataset, take
// this shard's samples, run each (K rollouts each) through runQuery with bounded
// concurrency spread over the endpoints, score it (exact match, F1, the judge), and append
// its result line as it finishes, keeping its trajectory in samples/<index>-<rollout>/.
// Stopping (the signal) leaves everything finished on disk; a resume runs the rest, with no
// sample twice and none missed.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { oneLine, type AgentEvent } from '../core/agent';
import type { TrajectoryEvent, TrajectoryHeader } from '../core/trajectory';
import {
  BENCH_FILE,
  buildSummary,
  mismatch,
  PROMPTS_DIR,
  readBenchMeta,
  SAMPLES_DIR,
  writeQueries,
  writeSummary,
  type BenchMeta,
  type Shard,
} from '../data/benchRun';
import { DatasetError, DatasetImages, loadDataset, MappingError, type Dataset, type DatasetProblem, type DatasetSample, type FieldMap } from '../data/datasets';
import { gitHead } from '../data/gitHead';
import { judgeAnswer } from '../data/judge';
import { queryLevels } from '../data/levels';
import { isEndpointError, isRight, isSampleError, type RunSummary, type SampleResult } from '../data/results';
import type { ScorerId } from '../data/scoring/metrics';
import { resultKey, ResultsWriter, RESULTS_FILE } from '../data/resultsLog';
import { ModelClient, type ModelSettings } from '../model/client';
import { publicEndpoint } from '../model/endpoint';
import { ModelError } from '../model/errors';
import { isRetryable } from '../core/ports';
import { Slots } from '../model/slots';
import type { IndexProgress } from '../search/localCorpus';
import { setUpSearch, SearchSetupError, type SearchSetup } from '../search/registry';
import type { Service } from '../search/services';
import { checkCount } from './benchChoices';
import { applyResume, BenchFolderError, folderState, inspectResume, setSampleFolderAside } from './benchFolder';
import { BenchLock, LockLost, LockRefused, LOCK_DIR } from './benchLock';
import { ShardError, type TaskIds } from './shard';
import { planFile, planMismatch, readPlan, settlePlan, type ShardPlan } from './shardPlan';
import { loadPromptFiles, PromptFilesError, type LoadedPrompts } from './promptFiles';
import { QueryError, runQuery } from './runQuery';
import { runRedactor } from './runSecrets';
import { resultOfFailure, resultOfRun, type SampleRun } from './sampleResult';
import { checkRunSettings, type RunSettings } from './settingsSpec';
import { toolVersions } from '../data/versions';
import { writeFailed, WriteFailed, writeNewFile } from '../core/files';

export interface BenchOptions extends RunSettings {
  /** The dataset file: JSON, JSONL or Parquet. */
  dataset: string;
  /** The folder whose git commit bench.json records (the command's working folder, VS Code's workspace folder). */
  workspace?: string;
  map?: FieldMap;
  /** A built-in layout by id instead of detecting one. */
  layout?: string;
  /** The measure to score by, instead of the layout's (`--scorer`). */
  scorer?: ScorerId;
  /** Another folder the dataset's images may be in (`--images`: OVEN's image shards for InfoSeek). */
  images?: string;
  /** The first N samples only (before sharding). */
  limit?: number;
  /**
   * Model requests in flight at once, over all the endpoints (the judge's apart). Up to half
   * as many samples again may run meanwhile, doing their local work while a slot is free.
   */
  concurrency: number;
  shard?: Shard;
  /**
   * A shard's run: the folder its plan is in (shards.json, beside the shard folders) and how
   * Slurm task ids map to shards, for the plan the first shard writes (shardPlan.ts).
   */
  plan?: { dir: string; taskIds: TaskIds };
  /** How often the run's lock is renewed (benchLock.ts); another machine takes it over after three silent intervals. */
  heartbeatMs?: number;
  /** Take up the run in `runDir` where it stopped; a new run when the folder is absent or empty. */
  resume: boolean;
  /** Trajectories per sample (at the configured temperature). */
  rollouts: number;
  judge?: { endpoint: string; model: string; apiKey?: string };
  /** The run folder (a shard's own folder when sharded; see shardDir). */
  runDir: string;
  /** More model endpoints beside `endpoint`: samples are spread over all of them. */
  extraEndpoints?: string[];
  apiKey?: string;
  searchKeys?: Partial<Record<Service, string>>;
  uploadEnv?: Readonly<Record<string, string | undefined>>;
  /** The search cache; dataset images downloaded or embedded are kept under it too. */
  cacheDir: string;
  indexDir?: string;
}

export interface BenchProgress {
  /** Results this run will hold: samples × rollouts. */
  total: number;
  /** Results on disk, those found by a resume included. */
  done: number;
  /** Results found on disk when the run started. */
  resumed: number;
  running: number;
  /** Right answers so far (by each benchmark's own measure), and failed samples. */
  correct: number;
  errors: number;
  elapsedMs: number;
  /** Results per second in this session, and the time left at that rate. */
  rate: number;
  etaMs: number | undefined;
}

export interface BenchHooks {
  signal?: AbortSignal;
  onProgress?: (p: BenchProgress) => void;
  /** One line a user should read (records that did not load, what a resume set aside). */
  onNotice?: (line: string) => void;
  onResult?: (r: SampleResult) => void;
  /** The local corpus's image index being built (at the first image search of a new corpus), as it goes. */
  onIndexing?: (progress: IndexProgress) => void;
  /** Once the run folder is ready and samples are about to run. */
  onStarted?: (info: { runDir: string; samples: number; total: number; resumed: number; problems: DatasetProblem[]; model: string }) => void;
}

export interface BenchOutcome {
  runDir: string;
  /** Records that loaded as samples, and samples in this run (after limit and shard). */
  loaded: number;
  samples: number;
  summary: RunSummary;
  /** Every sample has its final result: none missing, none ended in an endpoint error. */
  finished: boolean;
  /** Results that ended in an endpoint error (their samples run again on resume), and in the sample's own error (final). */
  errors: number;
  sampleErrors: number;
  /** The first endpoint error, as recorded. */
  firstError?: string;
  problems: DatasetProblem[];
}

/** The run could not start; nothing was run. One line. */
export class BenchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchError';
  }
}

/** The settings that decide results: resumed and merged runs must agree on them. */
function resultSettings(o: BenchOptions, model: string): Record<string, unknown> {
  return {
    model,
    // Only when there is one: runs from before presets resume as they were.
    ...(o.preset !== 'none' ? { preset: o.preset } : {}),
    dialect: o.dialect,
    boxFormat: o.boxFormat,
    maxTurns: o.maxTurns,
    maxPixels: o.maxPixels,
    topK: o.topK,
    evidenceImages: o.evidenceImages,
    temperature: o.temperature,
    maxTokens: o.maxTokens,
    imageSearch: o.imageSearch,
    textSearch: o.textSearch,
    readPages: o.readPages,
    sampleTimeoutMs: o.sampleTimeoutMs,
    formatWeight: o.formatWeight,
    hardPassRate: o.hardPassRate,
  };
}

function modelSettings(o: BenchOptions, endpoint: string, model: string): ModelSettings {
  return {
    endpoint,
    model,
    ...(o.apiKey ? { apiKey: o.apiKey } : {}),
    temperature: o.temperature,
    maxTokens: o.maxTokens,
    timeoutMs: o.timeoutMs,
    maxRetries: o.maxRetries,
    stream: o.stream,
    maxReplyChars: o.maxReplyChars,
  };
}

interface Endpoint {
  client: ModelClient;
  inFlight: number;
}

/** Checks every endpoint serves the model (the first one's first model when none is named). */
async function openEndpoints(o: BenchOptions, signal: AbortSignal, slots: Slots): Promise<{ endpoints: Endpoint[]; model: string }> {
  const urls = [o.endpoint, ...(o.extraEndpoints ?? [])];
  let model = o.model;
  const endpoints: Endpoint[] = [];
  for (const url of urls) {
    const client = new ModelClient(modelSettings(o, url, model), slots);
    try {
      model = (await client.preflight(signal)).model;
    } catch (e) {
      if (e instanceof ModelError) throw new BenchError(e.message);
      throw e;
    }
    endpoints.push({ client, inFlight: 0 });
  }
  return { endpoints, model };
}

function checkOptions(o: BenchOptions): void {
  try {
    checkRunSettings(o);
  } catch (e) {
    throw new BenchError(oneLine(e));
  }
  try {
    checkCount('concurrency', o.concurrency);
    checkCount('rollouts', o.rollouts);
    if (o.limit !== undefined) checkCount('limit', o.limit);
  } catch (e) {
    throw new BenchError((e as Error).message);
  }
}

async function copyPrompts(runDir: string, prompts: LoadedPrompts): Promise<void> {
  for (const rel of Object.values(prompts.files)) {
    const to = path.join(runDir, PROMPTS_DIR, rel);
    await fs.mkdir(path.dirname(to), { recursive: true });
    // The bytes read and checked when the prompts were loaded, not the file again.
    await writeNewFile(to, await fs.readFile(path.join(prompts.folder, rel)));
  }
}

export async function runBench(o: BenchOptions, hooks: BenchHooks = {}): Promise<BenchOutcome> {
  const signal = hooks.signal ?? new AbortController().signal;
  // Every secret of the run (the judge's key too): no line, result or file of the run holds one, however an endpoint echoed it.
  const redactor = runRedactor(o);
  const notice = (line: string) => hooks.onNotice?.(redactor.text(line));
  checkOptions(o);

  let dataset: Dataset;
  try {
    // Only this run's samples are kept, and reading stops at the limit.
    dataset = await loadDataset(o.dataset, {
      ...(o.map ? { map: o.map } : {}),
      ...(o.layout ? { layout: o.layout } : {}),
      ...(o.scorer ? { scorer: o.scorer } : {}),
      ...(o.images ? { images: o.images } : {}),
      ...(o.limit ? { limit: o.limit } : {}),
      ...(o.shard ? { shard: o.shard } : {}),
    });
  } catch (e) {
    if (e instanceof DatasetError || e instanceof MappingError) throw new BenchError(e.message);
    throw e;
  }
  const samples = dataset.samples;
  const byIndex = new Map(samples.map((s) => [s.index, s]));
  // A shard joins its run's plan: checked now, before anything is asked or written; recorded once the run starts.
  let plan: ShardPlan | undefined;
  if (o.shard && o.plan) {
    const mine: ShardPlan = {
      kind: 'gog-shards',
      schema: 1,
      created: new Date().toISOString(),
      count: o.shard.count,
      taskIds: { ...o.plan.taskIds },
      dataset: { file: dataset.file, sha256: dataset.sha256 },
      limit: o.limit ?? null,
    };
    plan = mine;
    try {
      const there = readPlan(o.plan.dir);
      const differs = there && planMismatch(there, mine);
      if (differs) throw new BenchError(`${planFile(o.plan.dir)}: ${differs}; give another --out for another run`);
    } catch (e) {
      if (e instanceof ShardError) throw new BenchError(e.message);
      throw e;
    }
  }

  let state: Awaited<ReturnType<typeof folderState>>;
  try {
    state = await folderState(o.runDir);
  } catch (e) {
    throw new BenchError(oneLine(e));
  }
  if (state === 'other')
    throw new BenchError(`${o.runDir} is not empty and holds no benchmark run; a run goes into a new or empty folder, never over other files`);
  if (state === 'run' && !o.resume) throw new BenchError(`${o.runDir} already holds a benchmark run; pass --resume to take it up, or choose another folder`);

  // Everything that could stop the run is checked before the folder is touched.
  const slots = new Slots(o.concurrency);
  const { endpoints, model } = await openEndpoints(o, signal, slots);
  let judge: ModelClient | undefined;
  if (o.judge) {
    // The judge gets its own key or none: the model's key is never sent to another server.
    const { apiKey: _modelKey, ...settings } = modelSettings(o, o.judge.endpoint, o.judge.model);
    judge = new ModelClient(
      {
        ...settings,
        ...(o.judge.apiKey ? { apiKey: o.judge.apiKey } : {}),
        temperature: 0,
        stream: false,
        maxTokens: 512,
      },
      new Slots(o.concurrency),
    );
    try {
      await judge.preflight(signal);
    } catch (e) {
      if (e instanceof ModelError) throw new BenchError(`the judge: ${e.message}`);
      throw e;
    }
  }
  let prompts: LoadedPrompts | null = null;
  let search: SearchSetup;
  try {
    if (o.promptsDir) prompts = await loadPromptFiles(o.promptsDir, o.dialect);
    search = await setUpSearch(o, {
      keys: o.searchKeys ?? {},
      env: o.uploadEnv ?? {},
      model: modelSettings(o, o.endpoint, model),
      ...(o.cacheSearches ? { cacheDir: o.cacheDir } : {}),
      ...(o.indexDir ? { indexDir: o.indexDir } : {}),
      onProblem: notice,
      ...(hooks.onIndexing ? { onIndexing: hooks.onIndexing } : {}),
    });
  } catch (e) {
    if (e instanceof PromptFilesError || e instanceof SearchSetupError) throw new BenchError(e.message);
    throw e;
  }

  const head = o.workspace ? await gitHead(o.workspace) : undefined;
  const meta: BenchMeta = redactor.value({
    kind: 'gog-bench',
    schema: 1,
    started: new Date().toISOString(),
    dataset: {
      file: dataset.file,
      sha256: dataset.sha256,
      format: dataset.format,
      layout: dataset.layout,
      ...(o.map ? { map: { ...o.map } } : {}),
      records: dataset.records,
      samples: dataset.found,
      ...(dataset.partial ? { partial: true } : {}),
      problems: dataset.problems.slice(0, 1000).map((p) => ({ ...p })),
      problemCount: dataset.problems.length,
      ...(Object.keys(dataset.notRun).length ? { notRun: dataset.notRun } : {}),
      ...(o.scorer ? { scorer: o.scorer } : {}),
      ...(o.images ? { images: o.images } : {}),
    },
    limit: o.limit ?? null,
    ...(o.shard ? { shard: o.shard } : {}),
    rollouts: o.rollouts,
    samples: samples.length,
    settings: resultSettings(o, model),
    endpoints: endpoints.map((e) => e.client.endpoint),
    ...(o.judge ? { judge: { endpoint: publicEndpoint(o.judge.endpoint), model: o.judge.model } } : {}),
    prompts: { source: prompts ? prompts.folder : 'built-in', ...(prompts ? { sha256: prompts.sha256 } : {}) },
    tools: toolVersions(),
    ...(head ? { workspace: { ...head } } : {}),
  } satisfies BenchMeta);

  let results: SampleResult[] = [];
  let lock: BenchLock | undefined;
  // Another process took the run over (this one was silent past its heartbeat): everything stops, nothing more is written.
  const lost = new AbortController();
  const lockOptions = {
    ...(o.heartbeatMs !== undefined ? { heartbeatMs: o.heartbeatMs } : {}),
    signal,
    onNotice: notice,
    onLost: (message: string) => lost.abort(new LockLost(message)),
  };
  /** bench.json is ours: the folder is this run's. */
  let claimed = false;
  try {
    const joinPlan = async () => {
      if (plan && o.plan) await settlePlan(o.plan.dir, plan);
    };
    if (state === 'run') {
      // Everything is read and checked before the folder changes: a refused resume leaves it as it was, its lock too.
      const there = await readBenchMeta(o.runDir).catch((e: Error) => Promise.reject(new BenchFolderError(e.message)));
      const differs = mismatch(there, meta) ?? (there.shard?.index !== meta.shard?.index ? 'the shards differ' : undefined);
      if (differs) throw new BenchError(`cannot resume ${o.runDir}: ${differs}`);
      await joinPlan();
      lock = await BenchLock.acquire(o.runDir, lockOptions);
      const resumed = await inspectResume(o.runDir, (i) => byIndex.get(i)?.id);
      await applyResume(o.runDir, resumed);
      meta.started = resumed.meta.started;
      results = resumed.results;
      for (const n of resumed.notes) notice(n);
    } else {
      await joinPlan();
      await fs.mkdir(path.join(o.runDir, SAMPLES_DIR), { recursive: true }).catch((e: unknown) => Promise.reject(writeFailed(e, o.runDir)));
      // Exclusive: of two runs racing for one folder, one gets it.
      await writeNewFile(path.join(o.runDir, BENCH_FILE), JSON.stringify(meta, null, 2) + '\n', { durable: true });
      claimed = true;
      lock = await BenchLock.acquire(o.runDir, lockOptions);
      if (prompts) await copyPrompts(o.runDir, prompts);
    }
  } catch (e) {
    await lock?.release().catch(() => undefined);
    if (e instanceof BenchError) throw e;
    // Another process runs the folder (a resume that got in first): it is theirs, left as it is.
    if (e instanceof LockRefused || e instanceof BenchFolderError || e instanceof ShardError) throw new BenchError(e.message);
    if ((e as NodeJS.ErrnoException).code === 'EEXIST' && !claimed) throw new BenchError(`another run took ${o.runDir} first; choose another folder`);
    if (state !== 'run' && (claimed || e instanceof WriteFailed)) {
      // A new run that could not write its first files (a full disk): what it made goes, and it never started.
      await Promise.all(
        [SAMPLES_DIR, PROMPTS_DIR, LOCK_DIR, ...(claimed ? [BENCH_FILE] : [])].map((name) =>
          fs.rm(path.join(o.runDir, name), { recursive: true, force: true }).catch(() => undefined),
        ),
      );
      if (state === 'absent') await fs.rmdir(o.runDir).catch(() => undefined);
      throw new BenchError(oneLine(writeFailed(e, o.runDir)));
    }
    throw e;
  }
  // The run's samples stop with the caller's signal, or when the lock is lost.
  const runSignal = AbortSignal.any([signal, lost.signal]);

  const done = new Set(results.map(resultKey));
  const jobs: { sample: DatasetSample; rollout: number }[] = [];
  for (const sample of samples)
    for (let rollout = 0; rollout < o.rollouts; rollout++) if (!done.has(`${sample.index}-${rollout}`)) jobs.push({ sample, rollout });
  const total = samples.length * o.rollouts;
  const resumedCount = results.length;
  hooks.onStarted?.({ runDir: o.runDir, samples: samples.length, total, resumed: resumedCount, problems: dataset.problems, model });

  const images = new DatasetImages(path.join(o.cacheDir, 'dataset-images'), {
    timeoutMs: o.searchTimeoutMs,
    maxBytes: o.maxImageBytes,
    retries: o.searchRetries,
    allowPrivateUrls: o.allowPrivateUrls,
  });
  const writer = await ResultsWriter.open(path.join(o.runDir, RESULTS_FILE));
  const started = Date.now();
  let correct = results.filter(isRight).length;
  let errors = results.filter((r) => r.stopReason === 'error').length;
  let running = 0;

  const progress = (): BenchProgress => {
    const elapsedMs = Date.now() - started;
    const fresh = results.length - resumedCount;
    const rate = elapsedMs > 0 ? (fresh * 1000) / elapsedMs : 0;
    const left = total - results.length;
    return {
      total,
      done: results.length,
      resumed: resumedCount,
      running,
      correct,
      errors,
      elapsedMs,
      rate,
      etaMs: rate > 0 ? (left / rate) * 1000 : undefined,
    };
  };

  let next = 0;
  let failure: unknown;
  // summary.json follows the results, rewritten at most once a second while the run goes. A
  // write that fails (a full disk) stops the run, as a results line that cannot be written does.
  let lastSummary = 0;
  let summaryWrite: Promise<void> = Promise.resolve();
  const saveSummary = (finished: boolean) => {
    lastSummary = Date.now();
    const summary = buildSummary(meta, results, { finished });
    summaryWrite = summaryWrite.then(() => writeSummary(o.runDir, summary)).catch((e: unknown) => void (failure ??= e));
    return summary;
  };
  saveSummary(false);

  const runOne = async (job: { sample: DatasetSample; rollout: number }): Promise<SampleResult | undefined> => {
    const { sample, rollout } = job;
    const name = `${sample.index}-${rollout}`;
    const dir = path.join(o.runDir, SAMPLES_DIR, name);
    const timer = new AbortController();
    const timeout = setTimeout(() => timer.abort(), o.sampleTimeoutMs);
    const sampleSignal = AbortSignal.any([runSignal, timer.signal]);
    const t0 = Date.now();
    const base = (trajectory: string): SampleRun => ({ sample, rollout, trajectory, ms: Date.now() - t0, formatWeight: o.formatWeight });
    const endpoint = endpoints.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
    endpoint.inFlight++;
    try {
      let image: string;
      try {
        image = await images.file(sample.image, sampleSignal);
      } catch (e) {
        if (runSignal.aborted) return undefined;
        // The disk, not the sample: the run stops.
        if (e instanceof WriteFailed) throw e;
        return resultOfFailure(base(''), timer.signal.aborted ? 'the sample time limit ran out while its image was fetched' : oneLine(e));
      }
      const events: TrajectoryEvent[] = [];
      let header: TrajectoryHeader | undefined;
      let outcome;
      // A sample folder this run did not make is a stopped process's, made after this one took
      // the run over (it stopped between its lock check and its mkdir, say): set aside, and the
      // sample runs again, at most twice.
      for (let attempt = 0; ; attempt++) {
        try {
          outcome = await runQuery(
            {
              ...o,
              endpoint: endpoint.client.endpoint,
              model,
              image,
              ...(sample.image.kind === 'url' ? { imageUrl: sample.image.url } : {}),
              question: sample.question,
              gold: sample.gold,
              runDir: dir,
              dataset: sample.benchmark,
              sampleId: sample.id,
              cacheDir: o.cacheDir,
            },
            {
              signal: sampleSignal,
              onEvent: (e: AgentEvent) => {
                if (e.kind === 'record') events.push(e.event);
              },
              onStarted: (info) => (header = info.header),
              onNotice: notice,
            },
            {
              client: endpoint.client,
              search,
              prompts,
              decodeOnDemand: true,
              benchmarkSample: true,
              secrets: redactor.secrets,
              // A process that lost the run to another makes no sample folder in it, nor another file.
              beforeWrite: () => lock.assertHeld(),
            },
          );
          break;
        } catch (e) {
          if (runSignal.aborted) return undefined;
          if (e instanceof QueryError && e.folderOccupied && attempt < 2) {
            lock.assertHeld();
            const moved = await setSampleFolderAside(o.runDir, name);
            notice(
              `${SAMPLES_DIR}/${name} was made by another process, not by this run; set aside as ${path.relative(o.runDir, moved)}, and the sample runs again`,
            );
            events.length = 0;
            header = undefined;
            continue;
          }
          if (e instanceof QueryError) return resultOfFailure(base(''), timer.signal.aborted ? 'the sample time limit ran out before it started' : e.message);
          throw e;
        }
      }
      // Stopped with the run, not by its own limit: unfinished, it runs again on resume.
      if (runSignal.aborted) return undefined;
      const timedOut = timer.signal.aborted;
      let judged: { judge?: Awaited<ReturnType<typeof judgeAnswer>>; judgeError?: { message: string; retryable: boolean } } = {};
      if (judge && o.judge) {
        if (outcome.answer === null) judged = { judge: { correct: false, grade: 'not_attempted', reply: '', model: o.judge.model, verdict: 'no answer' } };
        else {
          try {
            judged = {
              judge: await judgeAnswer(judge, o.judge.model, { question: sample.question, gold: sample.gold, prediction: outcome.answer }, runSignal),
            };
          } catch (e) {
            if (runSignal.aborted) return undefined;
            judged = { judgeError: { message: oneLine(e), retryable: isRetryable(e) } };
          }
        }
      }
      const trajectory = path.relative(o.runDir, outcome.trajectory).split(path.sep).join('/');
      return resultOfRun(base(trajectory), outcome, events, header, { timedOut, ...judged });
    } finally {
      clearTimeout(timeout);
      endpoint.inFlight--;
    }
  };

  // Past `concurrency` samples, another starts while fewer than `lookahead` requests wait for a
  // slot: it reads its image and makes its folder while the endpoint is busy, so a slot given
  // back goes at once to a request that is ready, instead of idling through a sample's start.
  // (Starting one only once a slot was free left that slot idle while the sample started.)
  const lookahead = Math.ceil(o.concurrency / 4);
  const admitted: (() => void)[] = [];
  const admitMore = () => admitted.splice(0).forEach((wake) => wake());
  slots.onRelease = admitMore;
  runSignal.addEventListener('abort', admitMore);
  const stopping = () => runSignal.aborted || failure !== undefined || next >= jobs.length;
  const worker = async () => {
    while (!stopping()) {
      while (!stopping() && running >= o.concurrency && slots.queued >= lookahead) await new Promise<void>((r) => admitted.push(r));
      // No sample starts in a run another process took over (checked now, not only at the next heartbeat).
      lock.check();
      if (stopping()) break;
      const job = jobs[next++]!;
      running++;
      try {
        // The judge's reply and every text of the result as the endpoints sent it, redacted before it is kept or told.
        const result = redactor.value(await runOne(job));
        if (result) {
          // Only the lock's holder writes: one that lost it stops here, before the line.
          lock.assertHeld();
          await writer.append(result);
          results.push(result);
          if (isRight(result)) correct++;
          if (result.stopReason === 'error') errors++;
          hooks.onResult?.(result);
          if (Date.now() - lastSummary > 1000) saveSummary(false);
        }
      } catch (e) {
        // A bug or a disk that fails: stop the run, keep what is written.
        failure ??= e;
      } finally {
        running--;
        admitMore();
      }
      hooks.onProgress?.(progress());
    }
  };
  hooks.onProgress?.(progress());
  let summary: RunSummary;
  try {
    // At most this many samples at once: those with a request under way, those waiting for a slot, those between turns.
    // More (twice the concurrency, three times) measured slower here: their local work crowds the CPU the replies need.
    const workers = o.concurrency + Math.ceil(o.concurrency / 2);
    await Promise.all(Array.from({ length: Math.min(workers, Math.max(1, jobs.length)) }, worker));
  } finally {
    // Each step is tried whatever the one before did, and the lock is released whatever happens.
    try {
      runSignal.removeEventListener('abort', admitMore);
      await writer.close().catch((e: unknown) => void (failure ??= e));
      const finished = results.length === total && !results.some(isEndpointError);
      await summaryWrite;
      if (lock.lost) {
        // The folder is another process's now: its summary is not written over.
        summary = buildSummary(meta, results, { finished: false });
        failure = new LockLost(lock.lost);
      } else {
        summary = saveSummary(finished);
        await summaryWrite;
        await writeQueries(o.runDir, queryLevels(results, o.hardPassRate)).catch((e: unknown) => void (failure ??= e));
      }
    } finally {
      await lock.release();
    }
  }
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(oneLine(failure));
  const endpointErrors = results.filter(isEndpointError);
  return {
    runDir: o.runDir,
    loaded: dataset.found,
    samples: samples.length,
    summary,
    finished: results.length === total && endpointErrors.length === 0,
    errors: endpointErrors.length,
    sampleErrors: results.filter(isSampleError).length,
    ...(endpointErrors[0]?.error ? { firstError: endpointErrors[0].error } : {}),
    problems: dataset.problems,
  };
}

/** The entry point for callers outside the CLI (the VS Code command): progress through hooks.onProgress, stop with hooks.signal. */
export const runBenchmark = runBench;

// One query, end to end, shared by the `gog` command and the VS Code extension: check the
// input, load the image and the corpus, check the endpoint, then create the run folder and
// run the agent, recording as it goes. Problems found before the run starts are a
// QueryError and leave nothing on disk; once it has started, the trajectory so far is
// always kept, whatever happens.
import * as path from 'node:path';
import { AgentRun, DEFAULT_MAX_TURNS, DEFAULT_TOP_K, oneLine, type AgentEvent, type AgentResult } from '../core/agent';
import { getDialect } from '../core/dialects';
import { BOX_FORMATS, DEFAULT_MAX_PIXELS, type BoxFormat } from '../core/geometry';
import { formatProblem, type LineProblem } from '../core/jsonl';
import type { ImageSearch, TextSearch } from '../core/ports';
import { DIALECT_IDS, TRAJECTORY_SCHEMA, type DialectId, type TrajectoryHeader } from '../core/trajectory';
import { DEFAULT_MODEL_SETTINGS, ModelClient } from '../model/client';
import { ModelError, publicEndpoint } from '../model/errors';
import { cachedImageSearch, cachedTextSearch, SearchCache } from '../search/cache';
import { CorpusError, LocalCorpus, PAGES_FILE } from '../search/localCorpus';
import { ImageError, loadImage } from '../vision/image';
import { assertFreeRunDir, IMAGES_DIR, newRunId, RunFolder } from './runFolder';
import { toolVersions } from './versions';

export interface QuerySettings {
  image: string;
  question: string;
  gold?: string[];
  endpoint: string;
  /** Empty: the first model the endpoint serves. */
  model: string;
  apiKey?: string;
  dialect: DialectId;
  boxFormat: BoxFormat;
  maxTurns: number;
  maxPixels: number;
  topK: number;
  evidenceImages: boolean;
  temperature: number;
  maxTokens: number;
  timeoutMs: number;
  maxRetries: number;
  stream: boolean;
  corpusDir: string;
  /** Search cache folder; undefined turns the cache off. */
  cacheDir?: string;
  /** Where the local corpus keeps its indexes; undefined builds them in memory for this run. */
  indexDir?: string;
  /** The run folder to create; it must not hold a run already. */
  runDir: string;
  dataset?: string;
  sampleId?: string;
  note?: string;
}

export const QUERY_DEFAULTS = {
  dialect: 'gog' as DialectId,
  boxFormat: 'pixels-sent' as BoxFormat,
  maxTurns: DEFAULT_MAX_TURNS,
  maxPixels: DEFAULT_MAX_PIXELS,
  topK: DEFAULT_TOP_K,
  evidenceImages: true,
  ...DEFAULT_MODEL_SETTINGS,
};

export interface QueryHooks {
  signal?: AbortSignal;
  /** Agent events: records, streamed text, status. */
  onEvent?: (event: AgentEvent) => void;
  /** Warnings that do not stop the run (a corpus line that did not load, say). */
  onNotice?: (message: string) => void;
  /** Called once the run folder exists. */
  onStarted?: (info: { runDir: string; trajectory: string; model: string }) => void;
}

export interface QueryOutcome extends AgentResult {
  runDir: string;
  trajectory: string;
  model: string;
}

/** The query could not start; nothing was written. The message is one line. */
export class QueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryError';
  }
}

export function defaultRunDir(base: string): string {
  return path.join(base, '.gog', 'runs', newRunId());
}

function checkSettings(s: QuerySettings): void {
  const intIn = (name: string, v: number, lo: number, hi: number) => {
    if (!Number.isInteger(v) || v < lo || v > hi) throw new QueryError(`${name} must be a whole number from ${lo} to ${hi}; got ${v}`);
  };
  if (!s.question.trim()) throw new QueryError('the question is empty; ask something about the image');
  if (!(DIALECT_IDS as readonly string[]).includes(s.dialect)) throw new QueryError(`unknown dialect "${s.dialect}"; use one of ${DIALECT_IDS.join(', ')}`);
  if (!(BOX_FORMATS as readonly string[]).includes(s.boxFormat))
    throw new QueryError(`unknown box format "${s.boxFormat}"; use one of ${BOX_FORMATS.join(', ')}`);
  intIn('max turns', s.maxTurns, 1, 1000);
  intIn('max pixels', s.maxPixels, 56 * 56, 50_000_000);
  intIn('results per search', s.topK, 1, 20);
  intIn('max tokens', s.maxTokens, 1, 1_000_000);
  if (!(s.temperature >= 0 && s.temperature <= 2)) throw new QueryError(`temperature must be from 0 to 2; got ${s.temperature}`);
  if (!(s.timeoutMs > 0)) throw new QueryError(`the timeout must be positive; got ${s.timeoutMs} ms`);
  try {
    const u = new URL(s.endpoint);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch {
    throw new QueryError(
      `the endpoint must be an http(s) URL such as http://127.0.0.1:8000/v1; got "${publicEndpoint(s.endpoint) === '(invalid URL)' ? s.endpoint.slice(0, 80) : publicEndpoint(s.endpoint)}"`,
    );
  }
}

/** Corpus problems as lines for the user; many are summarised. */
export function describeProblems(dir: string, problems: readonly LineProblem[], limit = 5): string[] {
  const file = path.join(dir, PAGES_FILE);
  const lines = problems.slice(0, limit).map((p) => `${formatProblem(file, p)} (skipped; the rest of the corpus loaded)`);
  if (problems.length > limit) lines.push(`${file}: ${problems.length - limit} more problems`);
  return lines;
}

export async function runQuery(settings: QuerySettings, hooks: QueryHooks = {}): Promise<QueryOutcome> {
  const signal = hooks.signal ?? new AbortController().signal;
  checkSettings(settings);
  try {
    await assertFreeRunDir(settings.runDir);
  } catch (e) {
    throw new QueryError(oneLine(e));
  }

  let image;
  let corpus: LocalCorpus;
  try {
    [image, corpus] = await Promise.all([
      loadImage(settings.image, { boxFormat: settings.boxFormat, maxPixels: settings.maxPixels }),
      LocalCorpus.open(settings.corpusDir, {
        indexDir: settings.indexDir,
        onProblems: (problems, dir) => describeProblems(dir, problems).forEach((line) => hooks.onNotice?.(line)),
      }),
    ]);
  } catch (e) {
    if (e instanceof ImageError || e instanceof CorpusError) throw new QueryError(e.message);
    throw e;
  }

  const client = new ModelClient({
    endpoint: settings.endpoint,
    model: settings.model,
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
    temperature: settings.temperature,
    maxTokens: settings.maxTokens,
    timeoutMs: settings.timeoutMs,
    maxRetries: settings.maxRetries,
    stream: settings.stream,
  });
  try {
    await client.preflight(signal);
  } catch (e) {
    if (e instanceof ModelError) throw new QueryError(e.message);
    if (signal.aborted) throw new QueryError('cancelled before the run started');
    throw e;
  }

  let imageSearch: ImageSearch = corpus.imageSearch;
  let textSearch: TextSearch = corpus.textSearch;
  if (settings.cacheDir) {
    const cache = new SearchCache(settings.cacheDir);
    imageSearch = cachedImageSearch(imageSearch, cache);
    textSearch = cachedTextSearch(textSearch, cache);
  }

  const ext = image.format === 'jpeg' ? 'jpg' : image.format;
  const header: TrajectoryHeader = {
    type: 'header',
    schema: TRAJECTORY_SCHEMA,
    id: path.basename(settings.runDir),
    created: new Date().toISOString(),
    question: settings.question,
    ...(settings.gold?.length ? { gold: settings.gold } : {}),
    ...(settings.dataset ? { dataset: settings.dataset } : {}),
    ...(settings.sampleId ? { sampleId: settings.sampleId } : {}),
    image: {
      path: `image.${ext}`,
      sha256: image.sha256,
      format: image.format,
      width: image.stored.width,
      height: image.stored.height,
      orientation: image.orientation,
      oriented: { ...image.oriented },
      sent: { width: image.sent.width, height: image.sent.height, path: `${IMAGES_DIR}/sent.jpg` },
    },
    model: {
      endpoint: client.endpoint,
      name: client.model,
      dialect: settings.dialect,
      boxFormat: settings.boxFormat,
      temperature: settings.temperature,
      maxTokens: settings.maxTokens,
      evidenceImages: settings.evidenceImages,
    },
    agent: { maxTurns: settings.maxTurns, topK: settings.topK },
    search: { image: imageSearch.id, text: textSearch.id },
    tools: toolVersions(),
    ...(settings.note ? { note: settings.note } : {}),
  };

  const folder = await RunFolder.create(settings.runDir, header, { image: image.bytes, sent: image.sent });
  const summary = {
    id: header.id,
    created: header.created,
    question: settings.question,
    image: path.resolve(settings.image),
    model: header.model,
    agent: header.agent,
    search: header.search,
    corpus: corpus.dir,
    status: 'running' as string,
  };
  await folder.writeSummary(summary);
  hooks.onStarted?.({ runDir: settings.runDir, trajectory: folder.trajectoryPath, model: client.model });

  const agent = new AgentRun(
    {
      question: settings.question,
      ...(settings.gold?.length ? { gold: settings.gold } : {}),
      dialect: getDialect(settings.dialect),
      boxFormat: settings.boxFormat,
      maxTurns: settings.maxTurns,
      topK: settings.topK,
      evidenceImages: settings.evidenceImages,
    },
    { model: client, image, imageSearch, textSearch, recorder: folder },
  );
  const unsubscribe = hooks.onEvent ? agent.events.subscribe(hooks.onEvent) : undefined;
  let result: AgentResult;
  try {
    result = await agent.run(signal);
  } finally {
    unsubscribe?.();
    await folder.close().catch(() => undefined);
  }
  await folder
    .writeSummary({ ...summary, status: 'finished', finished: new Date().toISOString(), ...result })
    .catch((e: unknown) => hooks.onNotice?.(`could not update run.json: ${oneLine(e)}`));
  return { ...result, runDir: settings.runDir, trajectory: folder.trajectoryPath, model: client.model };
}

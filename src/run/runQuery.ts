// One query, end to end, shared by the `gog` command and the VS Code extension: check the
// input, load the image and the corpus, check the endpoint, then create the run folder and
// run the agent, recording as it goes. Problems found before the run starts are a
// QueryError and leave nothing on disk; once it has started, the trajectory so far is
// always kept, whatever happens.
import * as path from 'node:path';
import { AgentRun, oneLine, type AgentEvent, type AgentResult, type AgentResume } from '../core/agent';
import type { Redactor } from '../core/redact';
import type { EncodedImage } from '../core/ports';
import { getDialect, type Dialect } from '../core/dialects';
import { messageTexts } from '../core/dialects/templates';
import { TRAJECTORY_SCHEMA, type TrajectoryEvent, type TrajectoryHeader } from '../core/trajectory';
import { WriteFailed } from '../core/files';
import { ModelClient, type ModelSettings } from '../model/client';
import { publicEndpoint } from '../model/endpoint';
import { ModelError } from '../model/errors';
import type { IndexProgress } from '../search/localCorpus';
import { setUpSearch, SearchSetupError, type SearchSetup } from '../search/registry';
import type { Service } from '../search/services';
import { ImageError, loadImage } from '../vision/image';
import { loadPromptFiles, PromptFilesError, type LoadedPrompts } from './promptFiles';
import { checkRunDir, IMAGES_DIR, newRunId, RunDirError, RunFolder } from '../data/runFolder';
import { checkRunSettings, settingDefaults, type RunSettings } from './settingsSpec';
import { rulesOf } from './presets';
import { rulesRecord } from '../core/runRules';
import { recordableUrl } from '../search/upload/recordableUrl';
import { toolVersions } from '../data/versions';
import { runRedactor } from './runSecrets';

/** One query: the run settings (settingsSpec.ts) and what belongs to this run alone. */
export interface QuerySettings extends RunSettings {
  image: string;
  /**
   * Where the image is on the web, when it is (a benchmark's image URL): recorded without
   * credentials (export-rl writes it as MMSearch-R1's `image_urls`), and searched by a glance
   * with a service that takes image URLs.
   */
  imageUrl?: string;
  question: string;
  gold?: string[];
  /** From SecretStorage or the environment; never a setting. */
  apiKey?: string;
  /** The search services' keys, from SecretStorage or the environment; never settings. */
  searchKeys?: Partial<Record<Service, string>>;
  /**
   * Where upload credentials and S3 details come from (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
   * AWS_SESSION_TOKEN, AWS_REGION, AWS_ENDPOINT_URL_S3, GOG_UPLOAD_TOKEN): the environment, or
   * in VS Code the environment with SecretStorage's S3 keys over it.
   */
  uploadEnv?: Readonly<Record<string, string | undefined>>;
  /** Where the local corpus keeps its indexes; undefined builds them in memory for this run. */
  indexDir?: string;
  /** Where the search cache lives; searches are cached when this is given and cacheSearches is on. */
  cacheDir?: string;
  /** The run folder to create: new or empty. */
  runDir: string;
  dataset?: string;
  sampleId?: string;
  note?: string;
}

/** Every run setting's default; the corpus folder is each face's own (the bundled demo corpus). */
export const QUERY_DEFAULTS: Omit<RunSettings, 'corpusDir'> = (({ corpusDir: _, ...rest }) => rest)(settingDefaults({ base: '/', defaults: {} }));

export interface QueryHooks {
  signal?: AbortSignal;
  /** Agent events: records, streamed text, status. */
  onEvent?: (event: AgentEvent) => void;
  /** Warnings that do not stop the run (a corpus line that did not load, say). */
  onNotice?: (message: string) => void;
  /** Called once the run folder exists. */
  onStarted?: (info: { runDir: string; trajectory: string; model: string; header: TrajectoryHeader }) => void;
  /** The local corpus's image index being built (at the first image search of a new corpus): long work, as it goes. */
  onIndexing?: (progress: IndexProgress) => void;
}

/**
 * What many queries can share (a benchmark run): a client already checked against its
 * endpoint, the searches already set up, the prompt files already read (null: none). What
 * is not given is made for this query from its settings.
 */
export interface QueryResources {
  client?: ModelClient;
  search?: SearchSetup;
  prompts?: LoadedPrompts | null;
  /**
   * Decode the image at full size only when a crop needs it, not ahead while the model
   * thinks: a benchmark runs many samples at once on a busy CPU, and most never crop.
   */
  decodeOnDemand?: boolean;
  /**
   * A benchmark's sample: run.json is written once, when the run ends, and not fsynced. The
   * sample's record is its trajectory (fsynced as it closes) and its line in results.jsonl;
   * a sample cut off midway runs again on resume. Two fewer file syncs a sample keep the
   * thread pool free for the samples starting.
   */
  benchmarkSample?: boolean;
  /** Secrets of the caller's beside this query's own (a benchmark's judge key): none is written or told. */
  secrets?: readonly string[];
  /**
   * Called just before the run folder is made and before each file written in it by name
   * (images, pages, run.json); throws to stop (a benchmark that lost its run's lock to
   * another process, which may have set the sample's folder aside and made it anew).
   */
  beforeWrite?: () => void;
}

/**
 * A run that continues another from a step (rerun.ts builds it): the branch records its
 * parent, starts with the parent's events before the step (and the files they name), sends
 * the parent's image as it was sent, and the agent resumes from the rebuilt conversation.
 */
export interface Continuation {
  /** The parent's trajectory file (relative to the new run folder), its id, and the step the branch starts at. */
  parent: { file: string; id: string; step: number };
  /** The image exactly as the parent sent it. */
  sent: EncodedImage;
  /** The parent's oriented image size: the image loaded now must match it. */
  oriented: { width: number; height: number };
  events: TrajectoryEvent[];
  files: { rel: string; data: Buffer }[];
  resume: AgentResume;
}

export interface QueryOutcome extends AgentResult {
  runDir: string;
  trajectory: string;
  model: string;
}

/** The query could not start; nothing was written. The message is one line. */
export class QueryError extends Error {
  /** @param folderOccupied the run folder held another run's files, or another run claimed it first */
  constructor(
    message: string,
    readonly folderOccupied = false,
  ) {
    super(message);
    this.name = 'QueryError';
  }
}

export function defaultRunDir(base: string): string {
  return path.join(base, '.gog', 'runs', newRunId());
}

function checkSettings(s: QuerySettings): void {
  if (!s.question.trim()) throw new QueryError('the question is empty; ask something about the image');
  try {
    checkRunSettings(s);
  } catch (e) {
    throw new QueryError(oneLine(e));
  }
  try {
    const u = new URL(s.endpoint);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch {
    throw new QueryError(
      `the endpoint must be an http(s) URL such as http://127.0.0.1:8000/v1; got "${publicEndpoint(s.endpoint) === '(invalid URL)' ? s.endpoint.slice(0, 80) : publicEndpoint(s.endpoint)}"`,
    );
  }
}

/**
 * The image URL a search service may be given: one without credentials (a token, a
 * signature, a password); such a URL is not handed to a third party, and the image is
 * uploaded instead.
 */
function searchableUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  let href: string;
  try {
    href = new URL(url).href;
  } catch {
    return undefined;
  }
  return recordableUrl(href) === href ? href : undefined;
}

/** The prompt record of the header: the exact texts this dialect sends for this question and image. */
function promptRecord(
  dialect: Dialect,
  ctx: Parameters<Dialect['initialMessages']>[0],
  prompts: LoadedPrompts | null,
): NonNullable<TrajectoryHeader['prompts']> {
  return {
    source: prompts ? prompts.folder : 'built-in',
    ...(prompts ? { sha256: prompts.sha256 } : {}),
    opening: messageTexts(dialect.initialMessages(ctx)),
    ...dialect.promptTexts(ctx.question),
  };
}

export async function runQuery(
  settings: QuerySettings,
  hooks: QueryHooks = {},
  resources: QueryResources = {},
  continuation?: Continuation,
): Promise<QueryOutcome> {
  const signal = hooks.signal ?? new AbortController().signal;
  checkSettings(settings);
  // What the run writes is redacted by its writers; what it tells (events, notices, the outcome) here.
  const redactor = runRedactor(settings, resources.secrets);
  hooks = redactedHooks(hooks, redactor);
  try {
    // Before anything slow and before the endpoint is contacted: a folder we may not use is refused at once.
    await checkRunDir(settings.runDir);
  } catch (e) {
    throw new QueryError(oneLine(e), e instanceof RunDirError && e.occupied);
  }

  const modelSettings: ModelSettings = {
    endpoint: settings.endpoint,
    model: settings.model,
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
    temperature: settings.temperature,
    maxTokens: settings.maxTokens,
    timeoutMs: settings.timeoutMs,
    maxRetries: settings.maxRetries,
    stream: settings.stream,
    maxReplyChars: settings.maxReplyChars,
  };
  let image;
  let search: SearchSetup;
  let prompts: LoadedPrompts | null;
  try {
    [image, search, prompts] = await Promise.all([
      loadImage(settings.image, {
        boxFormat: settings.boxFormat,
        maxPixels: settings.maxPixels,
        maxBytes: settings.maxImageBytes,
        ...(resources.decodeOnDemand ? { prefetch: false } : {}),
      }),
      resources.search ??
        setUpSearch(settings, {
          keys: settings.searchKeys ?? {},
          env: settings.uploadEnv ?? {},
          model: modelSettings,
          ...(settings.cacheDir ? { cacheDir: settings.cacheDir } : {}),
          ...(settings.indexDir ? { indexDir: settings.indexDir } : {}),
          onProblem: (line) => hooks.onNotice?.(line),
          ...(hooks.onIndexing ? { onIndexing: hooks.onIndexing } : {}),
        }),
      resources.prompts !== undefined ? resources.prompts : settings.promptsDir ? loadPromptFiles(settings.promptsDir, settings.dialect) : null,
    ]);
  } catch (e) {
    if (e instanceof ImageError || e instanceof SearchSetupError || e instanceof PromptFilesError) throw new QueryError(e.message);
    throw e;
  }
  if (signal.aborted) throw new QueryError('cancelled before the run started');
  if (continuation) {
    const o = continuation.oriented;
    if (image.oriented.width !== o.width || image.oriented.height !== o.height)
      throw new QueryError(
        `the image is ${image.oriented.width}×${image.oriented.height} now, but the run it continues had ${o.width}×${o.height}; it was changed`,
      );
    // Boxes and the conversation are in terms of the image the parent sent: send exactly that.
    image = { ...image, sent: continuation.sent };
  }

  const client = resources.client ?? new ModelClient(modelSettings);
  if (!resources.client) {
    try {
      await client.preflight(signal);
    } catch (e) {
      if (e instanceof ModelError) throw new QueryError(e.message);
      if (signal.aborted) throw new QueryError('cancelled before the run started');
      throw e;
    }
  }
  const dialect = getDialect(settings.dialect, prompts?.templates);

  const ext = image.format === 'jpeg' ? 'jpg' : image.format;
  const rules = rulesRecord(rulesOf(settings.preset));
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
      ...(settings.imageUrl ? { url: recordableUrl(settings.imageUrl) } : {}),
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
    agent: {
      maxTurns: settings.maxTurns,
      topK: settings.topK,
      ...(settings.preset !== 'none' ? { preset: settings.preset } : {}),
      ...(rules ? { rules } : {}),
    },
    search: search.record,
    tools: toolVersions(),
    prompts: promptRecord(
      dialect,
      {
        question: settings.question,
        boxFormat: settings.boxFormat,
        sent: { width: image.sent.width, height: image.sent.height },
        maxTurns: settings.maxTurns,
        imageUrl: '',
      },
      prompts,
    ),
    ...(settings.note ? { note: settings.note } : {}),
    ...(continuation ? { parent: continuation.parent } : {}),
  };

  resources.beforeWrite?.();
  let folder: RunFolder;
  try {
    // The folder was checked above, before the endpoint was contacted; creating trajectory.jsonl exclusively still claims it.
    folder = await RunFolder.create(settings.runDir, header, { image: image.bytes, sent: image.sent }, redactor.secrets, {
      checked: true,
      ...(resources.beforeWrite ? { guard: resources.beforeWrite } : {}),
    });
  } catch (e) {
    if (e instanceof RunDirError) throw new QueryError(e.message, e.occupied);
    throw e;
  }
  const summary = {
    id: header.id,
    created: header.created,
    question: settings.question,
    image: path.resolve(settings.image),
    model: header.model,
    agent: header.agent,
    search: header.search,
    ...(search.corpus ? { corpus: search.corpus } : {}),
    ...(header.parent ? { parent: header.parent } : {}),
    status: 'running' as string,
  };
  try {
    if (continuation) {
      // The parent's steps before the branch point, so the branch stands alone (to export, to review).
      for (const file of continuation.files) await folder.copyIn(file.rel, file.data);
      for (const event of continuation.events) await folder.write(event);
    }
    if (!resources.benchmarkSample) await folder.writeSummary(summary);
  } catch (e) {
    // Part of starting: what does not fit on the disk leaves no run behind.
    await folder.discard();
    if (e instanceof WriteFailed) e.nothingWritten = true;
    throw e;
  }
  hooks.onStarted?.({ runDir: settings.runDir, trajectory: folder.trajectoryPath, model: client.model, header });

  const agent = new AgentRun(
    {
      question: settings.question,
      ...(settings.gold?.length ? { gold: settings.gold } : {}),
      dialect,
      boxFormat: settings.boxFormat,
      maxTurns: settings.maxTurns,
      topK: settings.topK,
      evidenceImages: settings.evidenceImages,
      rules: rulesOf(settings.preset),
    },
    {
      model: client,
      image: searchableUrl(settings.imageUrl) ? { ...image, url: searchableUrl(settings.imageUrl)! } : image,
      imageSearch: search.image,
      textSearch: search.text,
      recorder: folder,
    },
    continuation?.resume,
  );
  const unsubscribe = hooks.onEvent ? agent.events.subscribe(hooks.onEvent) : undefined;
  let result: AgentResult;
  try {
    result = await agent.run(signal);
  } finally {
    unsubscribe?.();
    await folder.close().catch(() => undefined);
  }
  // A write that failed (a full disk) means the record is not whole, whatever the agent made of
  // it: run.json says the run failed (if it can still be written), and the run fails.
  const failure = folder.failure;
  if (failure) {
    await folder
      .writeSummary({ ...summary, status: 'failed', finished: new Date().toISOString(), ...result, stopReason: 'error', error: failure.message })
      .catch(() => undefined);
    throw failure;
  }
  await folder.writeSummary({ ...summary, status: 'finished', finished: new Date().toISOString(), ...result }, { durable: !resources.benchmarkSample });
  return { ...redactor.value(result), runDir: settings.runDir, trajectory: folder.trajectoryPath, model: client.model };
}

/** The hooks, told only redacted text: the events as their lines are written, streamed text, notices. */
function redactedHooks(hooks: QueryHooks, redactor: Redactor): QueryHooks {
  if (redactor.empty) return hooks;
  const { onEvent, onNotice } = hooks;
  return {
    ...hooks,
    ...(onEvent
      ? {
          onEvent: (e: AgentEvent) => {
            switch (e.kind) {
              case 'record':
                return onEvent({ kind: 'record', event: redactor.value(e.event) });
              case 'delta':
                return onEvent({ ...e, text: redactor.text(e.text) });
              case 'status':
                return onEvent({ ...e, message: redactor.text(e.message) });
              default: {
                const never: never = e;
                return never;
              }
            }
          },
        }
      : {}),
    ...(onNotice ? { onNotice: (m: string) => onNotice(redactor.text(m)) } : {}),
  };
}

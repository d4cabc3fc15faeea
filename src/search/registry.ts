// The searches of a run, built from the settings: the image and the text provider they
// name (the local corpus, a web service, or the searches `gog replay` recorded), page
// reading when asked for, and the disk cache in front of them. Everything a provider needs
// is checked here, before the run starts: a key for a service that requires one, a URL for
// a self-hosted one, an uploader for one that takes image URLs, a corpus folder that serves.
// A problem is a SearchSetupError in one line that names the setting to change.
import * as path from 'node:path';
import { formatProblem, type LineProblem } from '../core/jsonl';
import { publicEndpoint } from '../model/endpoint';
import type { ImageSearch, TextSearch } from '../core/ports';
import type { TrajectoryHeader } from '../core/trajectory';
import type { ModelSettings } from '../model/client';
import type { SearchSettings } from './searchSettings';
import { cachedImageSearch, cachedTextSearch, SearchCache } from './cache';
import type { ImageProviderDef, PageReader, ProviderContext, ServiceAccess, Summarizer, TextProviderDef, Uploader } from './kit';
import { CorpusError, LocalCorpus, PAGES_FILE, type IndexProgress } from './localCorpus';
import { thumbnailFetcher } from './net/thumbnails';
import { directReader, jinaReader, modelSummarizer, summaryClient, withPageReading } from './pages';
import { noUploaderMessage, uploaderFromSettings } from './upload';
import { WEB_IMAGE_PROVIDERS, WEB_TEXT_PROVIDERS } from './providers';
import { recordedSearch, RECORDED_PROVIDER } from './recorded';
import { SERVICE_INFO, type Service } from './services';

export class SearchSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SearchSetupError';
  }
}

export interface SearchDeps {
  keys: Partial<Record<Service, string>>;
  /** Where upload credentials come from (AWS_ACCESS_KEY_ID…): the environment, or SecretStorage's copy of it. */
  env: Readonly<Record<string, string | undefined>>;
  /** The model's connection (endpoint, key, limits): page summaries use it unless told otherwise. */
  model: ModelSettings;
  /** Where the search cache lives (cacheSearches on); undefined: no cache. */
  cacheDir?: string;
  /** Where the local corpus keeps its indexes; undefined: in memory. */
  indexDir?: string;
  /** Corpus problems (a broken line, a refused image), each once, as one-line warnings. */
  onProblem: (line: string) => void;
  /** The local corpus's image index being built (its first image search), as it goes. */
  onIndexing?: (progress: IndexProgress) => void;
}

/** What the trajectory header says about the searches of the run (no credentials). */
export type SearchRecord = TrajectoryHeader['search'];

export interface SearchSetup {
  image: ImageSearch;
  text: TextSearch;
  record: SearchRecord;
  /** The local corpus folder searched, when one is (its real path). */
  corpus?: string;
}

/** The URL a service is reached at: the user's, else the documented one. */
function accessFor(service: Service, settings: SearchSettings, keys: SearchDeps['keys']): ServiceAccess {
  const given = settings.providerUrls[service];
  const baseUrl = (given ?? SERVICE_INFO[service].defaultUrl ?? '').replace(/\/+$/, '');
  const key = keys[service];
  return { service, baseUrl, overridden: given !== undefined, ...(key ? { key } : {}) };
}

function keyMissing(service: Service): string {
  const info = SERVICE_INFO[service];
  return `${info.label} needs an API key: set ${info.keyEnv ?? 'it'} (command line) or run "Glance-or-Gaze: Set Search API Key…" (VS Code)`;
}

/** Checks what the chosen providers need and builds them; throws SearchSetupError before anything runs. */
export async function setUpSearch(settings: SearchSettings, deps: SearchDeps): Promise<SearchSetup> {
  const imageDef =
    settings.imageSearch === 'local' || settings.imageSearch === RECORDED_PROVIDER ? undefined : findDef(WEB_IMAGE_PROVIDERS, settings.imageSearch);
  const textDef = settings.textSearch === 'local' || settings.textSearch === RECORDED_PROVIDER ? undefined : findDef(WEB_TEXT_PROVIDERS, settings.textSearch);
  const services = new Set<Service>();
  for (const def of [imageDef, textDef]) if (def?.service) services.add(def.service);
  if (settings.readPages && settings.pageReader === 'jina') services.add('jina');
  for (const s of services) {
    const info = SERVICE_INFO[s];
    if (info.keyRequired && !deps.keys[s]) throw new SearchSetupError(keyMissing(s));
    if (!info.defaultUrl && !settings.providerUrls[s]) {
      throw new SearchSetupError(`${info.label} runs where you host it: give its URL with --provider-url ${s}=URL (setting gog.search.providerUrls)`);
    }
  }
  const http = { timeoutMs: settings.searchTimeoutMs, retries: settings.searchRetries };
  let uploader: Uploader | undefined;
  if (imageDef?.needsUploader) {
    if (!settings.uploadUrl.trim()) throw new SearchSetupError(noUploaderMessage(imageDef.label));
    const made = uploaderFromSettings({ uploadUrl: settings.uploadUrl, publicUrl: settings.publicUrl, env: deps.env, http });
    if (made.error !== undefined) throw new SearchSetupError(made.error);
    uploader = made.uploader;
  }

  const ctx: ProviderContext = {
    access: (s) => accessFor(s, settings, deps.keys),
    http,
    thumbnails: thumbnailFetcher({ allowPrivate: settings.allowPrivateUrls }),
    ...(uploader ? { uploader } : {}),
    lensExactMatches: settings.lensExactMatches,
  };

  let corpus: LocalCorpus | undefined;
  if (settings.imageSearch === 'local' || settings.textSearch === 'local') {
    try {
      corpus = await openLocalCorpus(settings.corpusDir, deps);
    } catch (e) {
      if (e instanceof CorpusError) throw new SearchSetupError(e.message);
      throw e;
    }
  }
  let recorded: ReturnType<typeof recordedSearch> | undefined;
  if (settings.imageSearch === RECORDED_PROVIDER || settings.textSearch === RECORDED_PROVIDER) {
    // By default the server that replays the model's turns: gog replay serves both.
    const base = settings.providerUrls.recorded ?? new URL(settings.endpoint).origin;
    recorded = recordedSearch(base.replace(/\/+$/, ''), ctx.http);
  }

  let image: ImageSearch = imageDef ? imageDef.create(ctx) : settings.imageSearch === 'local' ? corpus!.imageSearch : recorded!.image;
  let text: TextSearch = textDef ? textDef.create(ctx) : settings.textSearch === 'local' ? corpus!.textSearch : recorded!.text;
  let pages: { reader: PageReader; summarizer: Summarizer } | undefined;
  if (settings.readPages) {
    const reader = settings.pageReader === 'jina' ? jinaReader(ctx.access('jina'), http) : directReader(http, { allowPrivate: settings.allowPrivateUrls });
    // Another endpoint (or model) may summarise; it gets the same key.
    const model: ModelSettings = {
      ...deps.model,
      ...(settings.summaryEndpoint ? { endpoint: settings.summaryEndpoint } : {}),
      model: settings.summaryModel || deps.model.model,
    };
    const summarizer = modelSummarizer(summaryClient(model), { endpoint: model.endpoint, model: model.model || '(first served)' });
    pages = { reader, summarizer };
    text = withPageReading(text, reader, summarizer, { pages: settings.pagesToRead });
  }
  if (settings.cacheSearches && deps.cacheDir) {
    const cache = new SearchCache(deps.cacheDir, settings.cacheMaxBytes);
    image = cachedImageSearch(image, cache);
    text = cachedTextSearch(text, cache);
  }

  const record: SearchRecord = { image: image.id, text: text.id };
  if (services.size) record.services = Object.fromEntries([...services].map((s) => [s, publicEndpoint(ctx.access(s).baseUrl)]));
  if (uploader) record.uploader = uploader.id;
  if (pages) record.pages = { reader: pages.reader.id, summarizer: pages.summarizer.id, pages: settings.pagesToRead };
  return { image, text, record, ...(corpus ? { corpus: corpus.dir } : {}) };
}

function findDef<D extends ImageProviderDef | TextProviderDef>(defs: readonly D[], id: string): D {
  const def = defs.find((d) => d.id === id);
  if (!def) throw new SearchSetupError(`the search provider "${id}" is not available in this build`);
  return def;
}

/** Corpus problems as lines for the user; beyond `limit` in one batch they are counted. */
export function describeProblems(dir: string, problems: readonly LineProblem[], limit = 5): string[] {
  const file = path.join(dir, PAGES_FILE);
  const lines = problems.slice(0, limit).map((p) => `${formatProblem(file, p)} (skipped; the rest of the corpus loaded)`);
  if (problems.length > limit) lines.push(`${file}: ${problems.length - limit} more problems`);
  return lines;
}

/**
 * The local corpus, opened for the run: the folder checked and the content named, no page
 * read. Its indexes load (or are built and stored in indexDir) at the first search of each
 * kind; problems stored with them are told now, problems a build finds when it finds them.
 */
function openLocalCorpus(dir: string, deps: SearchDeps): Promise<LocalCorpus> {
  return LocalCorpus.open(dir, {
    ...(deps.indexDir ? { indexDir: deps.indexDir } : {}),
    onProblems: (problems, root) => describeProblems(root, problems).forEach((line) => deps.onProblem(line)),
    onNotice: deps.onProblem,
    ...(deps.onIndexing ? { onIndexing: deps.onIndexing } : {}),
  });
}

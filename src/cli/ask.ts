// `gog ask`: one query from the terminal.
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { oneLine } from '../core/agent';
import type { BoxFormat } from '../core/geometry';
import type { DialectId } from '../core/trajectory';
import { DEFAULT_ENDPOINT } from '../model/client';
import { defaultRunDir, QUERY_DEFAULTS, QueryError, runQuery, type QueryOutcome, type QuerySettings } from '../run/runQuery';
import { demoDir } from './packageRoot';
import { createStepPrinter } from '../run/stepPrinter';

export class UsageError extends Error {}

function numberOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} needs a number; got "${value}"`);
  return n;
}

export function parseAskArgs(argv: string[], env: NodeJS.ProcessEnv, cwd: string): { settings: QuerySettings; json: boolean } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        image: { type: 'string' },
        question: { type: 'string' },
        endpoint: { type: 'string' },
        model: { type: 'string' },
        dialect: { type: 'string' },
        'box-format': { type: 'string' },
        'max-turns': { type: 'string' },
        'max-pixels': { type: 'string' },
        corpus: { type: 'string' },
        out: { type: 'string' },
        gold: { type: 'string', multiple: true },
        'top-k': { type: 'string' },
        temperature: { type: 'string' },
        'max-tokens': { type: 'string' },
        timeout: { type: 'string' },
        retries: { type: 'string' },
        'no-stream': { type: 'boolean' },
        'no-evidence-images': { type: 'boolean' },
        cache: { type: 'string' },
        'no-cache': { type: 'boolean' },
        json: { type: 'boolean' },
      },
    }));
  } catch (e) {
    throw new UsageError(oneLine(e));
  }
  if (!values.image) throw new UsageError('--image PATH is required');
  if (values.question === undefined) throw new UsageError('--question TEXT is required');
  const d = QUERY_DEFAULTS;
  const settings: QuerySettings = {
    image: path.resolve(cwd, values.image),
    question: values.question,
    endpoint: values.endpoint ?? env.OPENAI_BASE_URL ?? DEFAULT_ENDPOINT,
    model: values.model ?? '',
    dialect: (values.dialect ?? d.dialect) as DialectId,
    boxFormat: (values['box-format'] ?? d.boxFormat) as BoxFormat,
    maxTurns: numberOption('max-turns', values['max-turns'], d.maxTurns),
    maxPixels: numberOption('max-pixels', values['max-pixels'], d.maxPixels),
    topK: numberOption('top-k', values['top-k'], d.topK),
    evidenceImages: !values['no-evidence-images'],
    temperature: numberOption('temperature', values.temperature, d.temperature),
    maxTokens: numberOption('max-tokens', values['max-tokens'], d.maxTokens),
    timeoutMs: numberOption('timeout', values.timeout, d.timeoutMs / 1000) * 1000,
    maxRetries: numberOption('retries', values.retries, d.maxRetries),
    stream: !values['no-stream'],
    corpusDir: values.corpus ? path.resolve(cwd, values.corpus) : path.join(demoDir(), 'corpus'),
    runDir: values.out ? path.resolve(cwd, values.out) : defaultRunDir(cwd),
  };
  const cacheDir = values.cache ? path.resolve(cwd, values.cache) : path.join(cwd, '.gog', 'cache');
  if (!values['no-cache']) settings.cacheDir = cacheDir;
  settings.indexDir = path.join(cacheDir, 'index'); // even with --no-cache: indexes hold the corpus, not search results
  if (env.OPENAI_API_KEY) settings.apiKey = env.OPENAI_API_KEY;
  if (values.gold?.length) settings.gold = values.gold;
  return { settings, json: !!values.json };
}

export interface Io {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  color: boolean;
  width: number;
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

export function relativeToCwd(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') ? rel : p;
}

/** Runs one query with terminal output; returns the exit code. */
export async function runAsk(settings: QuerySettings, json: boolean, io: Io, signal: AbortSignal): Promise<number> {
  const steps = json ? io.stderr : io.stdout;
  const printer = createStepPrinter({ write: steps, color: io.color && !json, width: io.width });
  let outcome: QueryOutcome;
  try {
    outcome = await runQuery(settings, {
      signal,
      onEvent: printer,
      onNotice: (m) => io.stderr(`gog: warning: ${m}`),
      onStarted: ({ trajectory, model }) => steps(`model ${model} · ${settings.dialect} · trajectory ${relativeToCwd(trajectory)}`),
    });
  } catch (e) {
    const message = oneLine(e);
    io.stderr(`gog: ${message}`);
    if (json) io.stdout(outcomeJson({ error: message }));
    return e instanceof QueryError ? 2 : 1;
  }
  if (json) io.stdout(outcomeJson(outcome));
  else steps(`trajectory: ${relativeToCwd(outcome.trajectory)}`);
  if (outcome.stopReason === 'answered') return 0;
  const why =
    outcome.stopReason === 'max_turns'
      ? `no answer within ${settings.maxTurns} turns`
      : outcome.stopReason === 'cancelled'
        ? 'cancelled'
        : `the run failed: ${outcome.error ?? 'unknown error'}`;
  io.stderr(`gog: ${why} (trajectory so far: ${relativeToCwd(outcome.trajectory)})`);
  return 1;
}

// The model endpoint's settings: where it is, which model, and the limits of one turn.
// Declared once here; src/run/settingsSpec.ts derives the flags, the VS Code settings and
// their checks from every area's list.
import type { SettingDeclOf } from '../core/settingDecl';
import { DEFAULT_ENDPOINT, DEFAULT_MODEL_SETTINGS } from './modelDefaults';

const m = DEFAULT_MODEL_SETTINGS;

/** The model part of a run's settings. */
export interface ModelRunSettings {
  endpoint: string;
  /** Empty: the first model the endpoint serves. */
  model: string;
  temperature: number;
  maxTokens: number;
  /** The most one model turn may take, retries included. */
  timeoutMs: number;
  maxRetries: number;
  stream: boolean;
  /** Characters kept of a model reply; the rest is not read, and the record says so. */
  maxReplyChars: number;
}

export const MODEL_SETTINGS: readonly SettingDeclOf<keyof ModelRunSettings>[] = [
  {
    key: 'endpoint',
    name: 'endpoint',
    flag: 'endpoint',
    label: 'the endpoint',
    type: 'string',
    default: DEFAULT_ENDPOINT,
    restricted: true,
    description:
      'Base URL of the OpenAI-compatible endpoint (vLLM, SGLang, Ollama, LM Studio, a hosted API), ending in `/v1`. A query string (a gateway token) is sent with every request and never recorded. The API key is not a setting: use **Glance-or-Gaze: Set API Key** or the `OPENAI_API_KEY` environment variable.',
    help: 'OpenAI-compatible base URL (default $OPENAI_BASE_URL or http://127.0.0.1:8000/v1)',
  },
  {
    key: 'model',
    name: 'model',
    flag: 'model',
    label: 'the model',
    type: 'string',
    default: '',
    restricted: true,
    description: 'Model name to request. Empty: the first model the endpoint lists at `/v1/models`.',
  },
  {
    key: 'temperature',
    name: 'temperature',
    flag: 'temperature',
    label: 'temperature',
    type: 'number',
    default: m.temperature,
    min: 0,
    max: 2,
    description: 'Sampling temperature.',
  },
  {
    key: 'maxTokens',
    name: 'maxTokens',
    flag: 'max-tokens',
    label: 'max tokens',
    type: 'integer',
    default: m.maxTokens,
    min: 1,
    max: 1_000_000,
    description: 'Maximum tokens per model turn.',
  },
  {
    key: 'timeoutMs',
    name: 'timeoutSeconds',
    flag: 'timeout',
    label: 'the timeout',
    type: 'number',
    default: m.timeoutMs / 1000,
    min: 1,
    max: 86_400,
    unit: 'seconds',
    scale: 1000,
    description: 'The most one model turn may take, in seconds: connecting, waiting for the first token and the whole reply, retries included.',
    help: 'seconds one model turn may take, retries included',
  },
  {
    key: 'maxRetries',
    name: 'retries',
    flag: 'retries',
    label: 'retries',
    type: 'integer',
    default: m.maxRetries,
    min: 0,
    max: 10,
    description: 'Retries with backoff on rate limits (429), server errors (5xx) and connection errors.',
  },
  {
    key: 'stream',
    name: 'stream',
    flag: 'stream',
    label: 'streaming',
    type: 'boolean',
    default: m.stream,
    description: 'Stream model replies (shown live in the log).',
    help: 'stream replies',
    negated: 'do not stream: ask for whole replies',
  },
  {
    key: 'maxReplyChars',
    name: 'maxReplyChars',
    flag: 'max-reply-chars',
    label: 'max reply characters',
    type: 'integer',
    default: m.maxReplyChars,
    min: 1000,
    // A reply is stored as one trajectory line, which a reader keeps up to 64 MB
    // (DEFAULT_MAX_LINE_BYTES); JSON may write a character as six (\u0001).
    max: 10_000_000,
    description:
      'Characters kept of one model reply (text, reasoning and tool-call arguments together). A longer reply is cut there, the rest is not read, and the record says it was cut.',
    help: 'characters kept of a model reply; the rest is not read',
  },
];

// The model client's defaults, apart from the client (which loads the openai SDK): the
// settings declare theirs from these without loading it.
import type { ModelSettings } from './client';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8000/v1';

export const DEFAULT_MODEL_SETTINGS: Omit<ModelSettings, 'endpoint' | 'model'> = {
  temperature: 0,
  maxTokens: 2048,
  timeoutMs: 300_000,
  maxRetries: 2,
  stream: true,
  maxReplyChars: 1_000_000,
};

// Every secret in play for a run, in one place: the model's key (OPENAI_API_KEY or
// SecretStorage's), the judge's (GOG_JUDGE_API_KEY), the search services' keys, the upload
// credentials (AWS_*, GOG_UPLOAD_TOKEN), and whatever a URL the user gave carries (a token
// in its query string, a password or token in its userinfo). Whatever a run writes or prints
// passes through the Redactor made from them, so no endpoint's echo of any of them is kept.
import { Redactor } from '../core/redact';
import { parseEndpoint } from '../model/endpoint';
import { SERVICE_INFO, SERVICES, type Service } from '../search/services';

/** The environment variables that hold secrets, wherever they are read. */
export const SECRET_ENV: readonly string[] = [
  'OPENAI_API_KEY',
  'GOG_JUDGE_API_KEY',
  ...SERVICES.flatMap((s) => SERVICE_INFO[s].keyEnv ?? []),
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'GOG_UPLOAD_TOKEN',
];

/** What a run's secrets come from; every field may be missing. */
export interface SecretSources {
  apiKey?: string;
  searchKeys?: Partial<Record<Service, string>>;
  /** The environment the run reads (or VS Code's copy of it with SecretStorage's S3 keys). */
  uploadEnv?: Readonly<Record<string, string | undefined>>;
  endpoint?: string;
  extraEndpoints?: readonly string[];
  uploadUrl?: string;
  publicUrl?: string;
  summaryEndpoint?: string;
  providerUrls?: Readonly<Record<string, string | undefined>>;
  judge?: { endpoint: string; apiKey?: string };
}

/** The values of the secret-holding variables set in `env`. */
export function envSecrets(env: Readonly<Record<string, string | undefined>>): string[] {
  return SECRET_ENV.flatMap((name) => {
    const v = env[name];
    return v ? [v, v.trim()] : [];
  });
}

/** Secrets in a URL a user gave (a token in its query string, a password or token in its userinfo). */
export function urlSecrets(url: string | undefined): string[] {
  if (!url) return [];
  try {
    return parseEndpoint(url).secrets;
  } catch {
    return []; // not a URL: the settings check says so
  }
}

export function runSecrets(s: SecretSources): string[] {
  const urls = [
    s.endpoint,
    ...(s.extraEndpoints ?? []),
    s.uploadUrl,
    s.publicUrl,
    s.summaryEndpoint,
    ...Object.values(s.providerUrls ?? {}),
    s.judge?.endpoint,
  ];
  return [
    ...new Set([
      ...(s.apiKey ? [s.apiKey] : []),
      ...(s.judge?.apiKey ? [s.judge.apiKey] : []),
      ...Object.values(s.searchKeys ?? {}).filter((k): k is string => !!k),
      ...envSecrets(s.uploadEnv ?? {}),
      ...urls.flatMap(urlSecrets),
    ]),
  ];
}

export function runRedactor(s: SecretSources, more: readonly string[] = []): Redactor {
  return new Redactor([...runSecrets(s), ...more]);
}

// The uploader the settings ask for: `s3://bucket/prefix` (keys from AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY, never from settings) or an http(s) URL that accepts PUT, with the
// public URL the uploads are read from. Anything else, or nothing, is one line naming the
// setting, for the caller to show before the run starts. No message repeats a value given:
// it may hold a token.
import type { HttpPolicy, Uploader } from '../kit';
import { httpPutUploader } from './httpPutUploader';
import { S3_MAX_EXPIRES_SECONDS, s3Uploader } from './s3Uploader';

export const UPLOAD_URL_SETTING = 'gog.search.uploadUrl (CLI --upload-url)';
export const PUBLIC_URL_SETTING = 'gog.search.publicUrl (CLI --public-url)';
/** A Bearer token for the HTTP PUT form, kept out of settings. */
export const UPLOAD_TOKEN_ENV = 'GOG_UPLOAD_TOKEN';
const DEFAULT_EXPIRES_SECONDS = 900;

export interface UploadSettings {
  uploadUrl: string;
  publicUrl: string;
  /**
   * Where keys and S3 details come from: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
   * AWS_SESSION_TOKEN, AWS_REGION or AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_S3 or
   * AWS_ENDPOINT_URL (the AWS tools' names); GOG_UPLOAD_TOKEN for the PUT form.
   */
  env: Readonly<Record<string, string | undefined>>;
  http: HttpPolicy;
  /** How long a presigned GET URL works (default 900 s). */
  expiresSeconds?: number;
}

export type UploaderSetting = { uploader: Uploader; error?: undefined } | { uploader?: undefined; error: string };

/** What to say when a provider that takes image URLs is chosen and no uploader is set. */
export function noUploaderMessage(provider: string): string {
  return `${provider} reads images from URLs and no uploader is set: set ${UPLOAD_URL_SETTING} to s3://bucket/prefix or to an http(s) URL that accepts PUT (with ${PUBLIC_URL_SETTING})`;
}

export function uploaderFromSettings(s: UploadSettings): UploaderSetting {
  const value = s.uploadUrl.trim();
  if (!value) return { error: `no uploader is set: ${UPLOAD_URL_SETTING} is empty` };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  switch (scheme) {
    case 's3':
      return fromS3(value, s);
    case 'http':
    case 'https':
      return fromHttp(value, s);
    default:
      return { error: `${UPLOAD_URL_SETTING} must be s3://bucket/prefix or an http(s) URL that accepts PUT` };
  }
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function fromS3(value: string, s: UploadSettings): UploaderSetting {
  const m = /^s3:\/\/([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?$/i.exec(value);
  if (!m) return { error: `${UPLOAD_URL_SETTING}: write an S3 bucket as s3://bucket/prefix` };
  const [, bucket = '', path = '', query = ''] = m;
  if (bucket.includes('@'))
    return { error: `${UPLOAD_URL_SETTING}: keys do not belong in settings; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment` };
  if (!BUCKET.test(bucket))
    return { error: `${UPLOAD_URL_SETTING}: "${bucket.slice(0, 70)}" is not an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)` };
  const params = new URLSearchParams(query);
  for (const name of params.keys())
    if (name !== 'region' && name !== 'endpoint') return { error: `${UPLOAD_URL_SETTING}: an s3:// URL takes only ?region= and ?endpoint=` };
  const accessKeyId = s.env.AWS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = s.env.AWS_SECRET_ACCESS_KEY?.trim();
  if (!accessKeyId || !secretAccessKey)
    return { error: `${UPLOAD_URL_SETTING} names an S3 bucket: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment` };
  const endpoint = params.get('endpoint')?.trim() || s.env.AWS_ENDPOINT_URL_S3?.trim() || s.env.AWS_ENDPOINT_URL?.trim();
  if (endpoint && !plainHttpUrl(endpoint))
    return { error: `${UPLOAD_URL_SETTING}: the S3 endpoint must be an http(s) URL without credentials or query string` };
  const expiresSeconds = s.expiresSeconds ?? DEFAULT_EXPIRES_SECONDS;
  if (!(expiresSeconds >= 1 && expiresSeconds <= S3_MAX_EXPIRES_SECONDS))
    return { error: `presigned URLs live 1 s to 7 days (${S3_MAX_EXPIRES_SECONDS} s), not ${expiresSeconds} s` };
  let prefix: string;
  try {
    prefix = decodeURIComponent(path);
  } catch {
    return { error: `${UPLOAD_URL_SETTING}: the prefix after the bucket is not a valid URL path` };
  }
  const sessionToken = s.env.AWS_SESSION_TOKEN?.trim();
  return {
    uploader: s3Uploader(
      {
        ...(endpoint ? { endpoint } : {}),
        bucket,
        prefix,
        region: params.get('region')?.trim() || s.env.AWS_REGION?.trim() || s.env.AWS_DEFAULT_REGION?.trim() || 'us-east-1',
        accessKeyId,
        secretAccessKey,
        ...(sessionToken ? { sessionToken } : {}),
        expiresSeconds,
      },
      s.http,
    ),
  };
}

function fromHttp(value: string, s: UploadSettings): UploaderSetting {
  if (!httpUrl(value)) return { error: `${UPLOAD_URL_SETTING} is not a valid http(s) URL` };
  const publicUrl = s.publicUrl.trim();
  if (!publicUrl) return { error: `an http(s) ${UPLOAD_URL_SETTING} needs ${PUBLIC_URL_SETTING}: where the uploaded images can be read` };
  const pub = httpUrl(publicUrl);
  if (!pub) return { error: `${PUBLIC_URL_SETTING} is not a valid http(s) URL` };
  if (pub.username || pub.password) return { error: `${PUBLIC_URL_SETTING} is written into records: it may not carry a user name or password` };
  const token = s.env[UPLOAD_TOKEN_ENV]?.trim();
  return { uploader: httpPutUploader(value, publicUrl, s.http, token ? { token } : {}) };
}

function httpUrl(value: string): URL | undefined {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : undefined;
  } catch {
    return undefined;
  }
}

function plainHttpUrl(value: string): boolean {
  const u = httpUrl(value);
  return !!u && !u.username && !u.password && !u.search;
}

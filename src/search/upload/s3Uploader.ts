// Uploads to an S3 bucket (AWS or an S3-compatible store such as MinIO, R2 or Ceph) with
// presigned URLs: a short-lived presigned PUT sends the JPEG, then a presigned GET, valid
// for expiresSeconds, is the URL the image service reads; the object stays private.
// Signing is aws4fetch's SigV4 (one small file, no dependencies, WebCrypto): nothing
// else of an S3 client is needed, and unlike @aws-sdk/client-s3's presigner it adds no
// empty-body checksum that would make the PUT fail.
import { AwsV4Signer } from 'aws4fetch';
import type { HttpPolicy, Uploader } from '../kit';
import { requestService, statusError } from '../pages/request';
import { contentName, UploadOnce } from './contentName';

export interface S3UploaderOptions {
  /** An S3-compatible endpoint (http(s)://host[:port]); objects are then addressed path-style. Absent: AWS. */
  endpoint?: string;
  bucket: string;
  /** Key prefix ("gog/crops"); empty puts objects at the bucket's top. */
  prefix: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** With temporary credentials (AWS_SESSION_TOKEN). */
  sessionToken?: string;
  /** How long the returned GET URL works, 1 s to 7 days (SigV4's limit). */
  expiresSeconds: number;
}

export const S3_MAX_EXPIRES_SECONDS = 7 * 24 * 3600;
/** The PUT is sent at once: its URL need not live long. */
const PUT_EXPIRES_SECONDS = 300;
const ANSWER_MAX_BYTES = 64 * 1024;

/** The object's URL, unsigned: path-style for a given endpoint, virtual-hosted on AWS unless the bucket name has dots (TLS). */
export function s3ObjectUrl(o: Pick<S3UploaderOptions, 'endpoint' | 'bucket' | 'region'>, key: string): string {
  const path = key.split('/').map(encodeURIComponent).join('/');
  if (o.endpoint) return `${o.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(o.bucket)}/${path}`;
  if (o.bucket.includes('.')) return `https://s3.${o.region}.amazonaws.com/${o.bucket}/${path}`;
  return `https://${o.bucket}.s3.${o.region}.amazonaws.com/${path}`;
}

export function s3Uploader(o: S3UploaderOptions, policy: HttpPolicy): Uploader {
  if (!(o.expiresSeconds >= 1 && o.expiresSeconds <= S3_MAX_EXPIRES_SECONDS)) throw new RangeError(`expiresSeconds must be 1 to ${S3_MAX_EXPIRES_SECONDS}`);
  const prefix = o.prefix.replace(/^\/+|\/+$/g, '');
  const where = `s3://${o.bucket}${prefix ? `/${prefix}` : ''}`;
  const provider = `Upload to ${where}`;
  // S3's error bodies name the access key id (SignatureDoesNotMatch): it goes too.
  const secrets = [o.accessKeyId, o.secretAccessKey, o.sessionToken];
  const once = new UploadOnce();

  async function presign(method: 'PUT' | 'GET', url: string, expires: number): Promise<string> {
    const u = new URL(url);
    u.searchParams.set('X-Amz-Expires', String(expires));
    const signer = new AwsV4Signer({
      method,
      url: u.href,
      accessKeyId: o.accessKeyId,
      secretAccessKey: o.secretAccessKey,
      ...(o.sessionToken ? { sessionToken: o.sessionToken } : {}),
      service: 's3',
      region: o.region,
      signQuery: true,
    });
    return (await signer.sign()).url.href;
  }

  return {
    id: o.endpoint ? `s3:${new URL(o.endpoint).host}/${o.bucket}/${prefix}` : `s3:${o.bucket}/${prefix}`,
    async upload(image, signal) {
      const key = `${prefix ? `${prefix}/` : ''}${contentName(image)}`;
      const url = s3ObjectUrl(o, key);
      await once.run(key, async () => {
        const put = await presign('PUT', url, Math.min(PUT_EXPIRES_SECONDS, o.expiresSeconds));
        // The presigned URL is itself a credential: the error names the bucket, never the URL.
        const req = { provider, secrets: [...secrets, new URL(put).searchParams.get('X-Amz-Signature') ?? undefined] };
        const res = await requestService(
          { ...req, url: put, method: 'PUT', headers: { 'content-type': 'image/jpeg' }, body: image.data, maxBytes: ANSWER_MAX_BYTES, maxRedirects: 0 },
          policy,
          signal,
        );
        if (res.status < 200 || res.status > 299) throw statusError(req, res);
      });
      return presign('GET', url, o.expiresSeconds);
    },
  };
}

// Uploaders against servers on 127.0.0.1: HTTP PUT to a server that stores and serves what
// it is sent (test/helpers/uploadServer.ts, also used by image services' tests), and S3
// through presigned URLs to a small path-style store that checks every SigV4 parameter and
// recomputes the signature itself. The image is a real crop of a photograph; what is served
// back must be its bytes. Settings parse into either uploader or one line naming the setting,
// and no key or signature reaches a URL meant for records or an error.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import type { EncodedImage } from '../../src/core/ports';
import { ProviderError } from '../../src/search/kit';
import { httpPutUploader } from '../../src/search/upload/httpPutUploader';
import { noUploaderMessage, uploaderFromSettings, type UploadSettings } from '../../src/search/upload/fromSettings';
import { recordableUrl } from '../../src/search/upload/recordableUrl';
import { s3ObjectUrl, s3Uploader, type S3UploaderOptions } from '../../src/search/upload/s3Uploader';
import { loadImage } from '../../src/vision/image';
import { photo } from '../helpers/fixtures';
import { startS3Server, verifyPresigned, type S3Server } from '../helpers/s3Server';
import { startUploadServer, type UploadServer } from '../helpers/uploadServer';

const never = new AbortController().signal;
const policy = { timeoutMs: 5000, retries: 2 };

async function providerError(p: Promise<unknown>, pattern: RegExp): Promise<ProviderError> {
  let caught: unknown;
  await assert.rejects(p, (e: unknown) => ((caught = e), true));
  assert.ok(caught instanceof ProviderError, String(caught));
  assert.match(caught.message, pattern);
  assert.ok(!caught.message.includes('\n'), `one line: ${caught.message}`);
  return caught;
}

async function fetchBytes(url: string): Promise<{ status: number; type: string | null; body: Buffer }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
}

const sha = (image: EncodedImage) => createHash('sha256').update(image.data).digest('hex');

describe('uploads', () => {
  let crop: EncodedImage;
  let other: EncodedImage;
  before(async () => {
    const image = await loadImage(photo('coffee.png'), { boxFormat: 'pixels-sent', maxPixels: 1_003_520, prefetch: false });
    crop = await image.crop([40, 30, 240, 190], never);
    other = await image.crop([0, 0, 64, 64], never);
    assert.equal(crop.mime, 'image/jpeg');
  });

  describe('HTTP PUT', () => {
    let server: UploadServer;
    beforeEach(async () => {
      server = await startUploadServer();
    });
    afterEach(() => server.close());

    it('PUTs the JPEG to <uploadUrl>/<sha256>.jpg and returns <publicUrl>/<sha256>.jpg, which serves the same bytes', async () => {
      const uploader = httpPutUploader(server.uploadUrl, server.publicUrl, policy);
      assert.equal(uploader.id, `http-put:${server.publicUrl}`);
      const url = await uploader.upload(crop, never);
      assert.equal(url, `${server.publicUrl}/${sha(crop)}.jpg`);
      const put = server.requests.find((r) => r.method === 'PUT')!;
      assert.equal(put.url, `/upload/${sha(crop)}.jpg`);
      assert.equal(put.contentType, 'image/jpeg');
      assert.equal(put.bytes, crop.data.length);
      const got = await fetchBytes(url);
      assert.equal(got.status, 200);
      assert.equal(got.type, 'image/jpeg');
      assert.ok(got.body.equals(crop.data), 'the bytes read back are the crop');

      await uploader.upload(crop, never);
      await uploader.upload(other, never);
      assert.equal(server.requests.filter((r) => r.method === 'PUT').length, 2, 'an image already uploaded is not sent again');
    });

    it('retries 5xx and 429 (after Retry-After), and names the uploader in a one-line error for anything else', async () => {
      const uploader = httpPutUploader(server.uploadUrl, server.publicUrl, policy);
      server.failNext(503);
      server.failNext(429, 1, { 'retry-after': '0' });
      assert.equal(await uploader.upload(crop, never), `${server.publicUrl}/${sha(crop)}.jpg`);
      assert.deepEqual(
        server.requests.filter((r) => r.method === 'PUT').map((r) => r.status),
        [503, 429, 201],
      );
      server.failNext(403);
      const e = await providerError(uploader.upload(other, never), /^Upload to http:\/\/127\.0\.0\.1:\d+\/upload: answered 403 \(scripted failure 403\)$/);
      assert.equal(e.permanent, true);
      server.failNext(500, 2);
      await providerError(httpPutUploader(server.uploadUrl, server.publicUrl, { timeoutMs: 5000, retries: 1 }).upload(other, never), /answered 500/);
      assert.ok(!server.objects.has(`${sha(other)}.jpg`));
      assert.ok((await uploader.upload(other, never)).endsWith(`${sha(other)}.jpg`), 'a failed upload can be tried again');
    });

    it('sends credentials from the upload URL or a token, and never repeats them in an id or an error', async () => {
      await server.close();
      server = await startUploadServer({ token: 'upload-token-0123456789' });
      const withToken = httpPutUploader(server.uploadUrl, server.publicUrl, policy, { token: 'upload-token-0123456789' });
      await withToken.upload(crop, never);
      assert.equal(server.requests.at(-1)!.authorization, 'Bearer upload-token-0123456789');

      const password = 'pw-secret-0123456789';
      const queryToken = 'qs-secret-0123456789';
      const u = new URL(server.uploadUrl);
      const secretUrl = `http://alice:${password}@${u.host}${u.pathname}?token=${queryToken}`;
      const refused = httpPutUploader(secretUrl, server.publicUrl, policy);
      const e = await providerError(refused.upload(other, never), /^Upload to http:\/\/127\.0\.0\.1:\d+\/upload: answered 401/);
      for (const secret of [password, queryToken, 'upload-token-0123456789']) assert.ok(!e.message.includes(secret), e.message);
      assert.equal(server.requests.at(-1)!.authorization, `Basic ${Buffer.from(`alice:${password}`).toString('base64')}`, 'the URL password is sent');
      assert.equal(server.requests.at(-1)!.url, `/upload/${sha(other)}.jpg?token=${queryToken}`, 'the query string is sent');
      assert.ok(!refused.id.includes(password) && !refused.id.includes(queryToken));
    });

    it('fails in one line, naming the uploader, when nothing listens', async () => {
      await server.close();
      const uploader = httpPutUploader(server.uploadUrl, server.publicUrl, { timeoutMs: 2000, retries: 0 });
      await providerError(uploader.upload(crop, never), /^Upload to http:\/\/127\.0\.0\.1:\d+\/upload: could not connect: ECONNREFUSED/);
      server = await startUploadServer();
    });
  });

  describe('S3', () => {
    const creds = {
      accessKeyId: 'AKIATESTKEYID0000001',
      secretAccessKey: 'test/secret+access/key0123456789abcdefgh',
      region: 'eu-west-3',
      bucket: 'gog-crops',
    };
    let s3: S3Server;
    const options = (over: Partial<S3UploaderOptions> = {}): S3UploaderOptions => ({
      endpoint: s3.url,
      bucket: creds.bucket,
      prefix: 'run 1/crops',
      region: creds.region,
      accessKeyId: creds.accessKeyId,
      secretAccessKey: creds.secretAccessKey,
      expiresSeconds: 600,
      ...over,
    });
    beforeEach(async () => {
      s3 = await startS3Server(creds);
    });
    afterEach(() => s3.close());

    it('PUTs through a presigned URL and returns a presigned GET URL the store verifies and serves the crop from', async () => {
      const uploader = s3Uploader(options(), policy);
      assert.equal(uploader.id, `s3:${new URL(s3.url).host}/gog-crops/run 1/crops`);
      const url = await uploader.upload(crop, never);
      const key = `run 1/crops/${sha(crop)}.jpg`;
      assert.ok(url.startsWith(`${s3.url}/gog-crops/run%201/crops/${sha(crop)}.jpg?`), url);
      const stored = s3.objects.get(key);
      assert.ok(stored && stored.body.equals(crop.data), 'the object holds the crop');
      assert.equal(stored.contentType, 'image/jpeg');

      const put = s3.requests.find((r) => r.method === 'PUT')!;
      assert.equal(put.status, 200, put.refusal);
      const putParams = new URL(put.url, s3.url).searchParams;
      assert.equal(putParams.get('X-Amz-Expires'), '300', 'the PUT URL lives only as long as the upload needs');
      const get = new URL(url).searchParams;
      assert.equal(get.get('X-Amz-Algorithm'), 'AWS4-HMAC-SHA256');
      assert.match(get.get('X-Amz-Credential')!, /^AKIATESTKEYID0000001\/\d{8}\/eu-west-3\/s3\/aws4_request$/);
      assert.equal(get.get('X-Amz-Expires'), '600');
      assert.equal(get.get('X-Amz-SignedHeaders'), 'host');
      assert.match(get.get('X-Amz-Signature')!, /^[0-9a-f]{64}$/);
      assert.ok(!url.includes(creds.secretAccessKey) && !url.includes(encodeURIComponent(creds.secretAccessKey)), 'the secret is never in a URL');

      const got = await fetchBytes(url);
      assert.equal(got.status, 200);
      assert.ok(got.body.equals(crop.data), 'the presigned GET serves the crop');

      const record = recordableUrl(url);
      assert.equal(record, `${s3.url}/gog-crops/run%201/crops/${sha(crop)}.jpg`);
      assert.ok(!record.includes(creds.accessKeyId) && !record.includes(get.get('X-Amz-Signature')!));
    });

    it('the store refuses what is not correctly signed: the check is real', async () => {
      const url = await s3Uploader(options(), policy).upload(crop, never);
      const tampered = new URL(url);
      tampered.pathname = tampered.pathname.replace('.jpg', '.png');
      assert.equal((await fetchBytes(tampered.href)).status, 403);
      const sig = new URL(url);
      sig.searchParams.set('X-Amz-Signature', '0'.repeat(64));
      assert.equal((await fetchBytes(sig.href)).status, 403);
      const unsigned = new URL(url);
      unsigned.search = '';
      assert.equal((await fetchBytes(unsigned.href)).status, 403);
      const expired = new URL(url);
      assert.match(verifyPresigned('GET', `${expired.pathname}${expired.search}`, expired.host, creds, Date.now() + 601_000) ?? '', /expired|too far/);
      assert.equal(verifyPresigned('GET', `${expired.pathname}${expired.search}`, expired.host, creds), undefined);
    });

    it('names the bucket in a one-line error when the store refuses, without the secret or the signature; retries a 503', async () => {
      const wrong = 'wrong/secret+key0123456789abcdefghijklm';
      const e = await providerError(
        s3Uploader(options({ secretAccessKey: wrong }), policy).upload(crop, never),
        /^Upload to s3:\/\/gog-crops\/run 1\/crops: answered 403 \(SignatureDoesNotMatch: the signature does not match\)$/,
      );
      assert.ok(!e.message.includes(wrong) && !e.message.includes('X-Amz'));
      assert.equal(e.permanent, true);
      s3.failNext(503, 1, { 'retry-after': '0' });
      const url = await s3Uploader(options(), policy).upload(other, never);
      assert.equal((await fetchBytes(url)).status, 200);
      assert.deepEqual(
        s3.requests.filter((r) => r.method === 'PUT').map((r) => r.status),
        [403, 503, 200],
      );
    });

    it('carries a session token in the signed URL, and recordableUrl strips it', async () => {
      const token = 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN0123456789';
      const url = await s3Uploader(options({ sessionToken: token, prefix: '' }), policy).upload(crop, never);
      assert.equal(new URL(url).searchParams.get('X-Amz-Security-Token'), token);
      assert.equal((await fetchBytes(url)).status, 200, 'the token is part of what was signed');
      assert.ok(s3.objects.has(`${sha(crop)}.jpg`), 'an empty prefix puts objects at the top');
      assert.equal(recordableUrl(url), `${s3.url}/gog-crops/${sha(crop)}.jpg`);
    });

    it('addresses AWS virtual-hosted, or path-style when the bucket name has dots', () => {
      assert.equal(s3ObjectUrl({ bucket: 'crops', region: 'us-east-1' }, 'a/b c.jpg'), 'https://crops.s3.us-east-1.amazonaws.com/a/b%20c.jpg');
      assert.equal(s3ObjectUrl({ bucket: 'my.crops', region: 'eu-west-1' }, 'x.jpg'), 'https://s3.eu-west-1.amazonaws.com/my.crops/x.jpg');
      assert.throws(() => s3Uploader(options({ expiresSeconds: 8 * 24 * 3600 }), policy), /expiresSeconds must be 1 to 604800/);
    });
  });

  describe('settings', () => {
    const env = { AWS_ACCESS_KEY_ID: 'AKIAENVKEY0000000001', AWS_SECRET_ACCESS_KEY: 'env-secret-0123456789abcdefghijklmnopqrs' };
    const settings = (over: Partial<UploadSettings>): UploadSettings => ({ uploadUrl: '', publicUrl: '', env: {}, http: policy, ...over });
    const error = (over: Partial<UploadSettings>): string => {
      const got = uploaderFromSettings(settings(over));
      assert.ok(got.error !== undefined, `expected an error for ${JSON.stringify(over)}`);
      assert.ok(!got.error.includes('\n'));
      return got.error;
    };

    it('says in one line which setting to set, naming its CLI flag, and repeats no value that may hold a key', () => {
      assert.match(error({}), /gog\.search\.uploadUrl \(CLI --upload-url\) is empty/);
      assert.match(
        noUploaderMessage('Google Lens (SerpApi)'),
        /^Google Lens \(SerpApi\) reads images from URLs .*gog\.search\.uploadUrl \(CLI --upload-url\).*gog\.search\.publicUrl/,
      );
      assert.match(error({ uploadUrl: 'ftp://files.example/x' }), /must be s3:\/\/bucket\/prefix or an http\(s\) URL/);
      assert.match(error({ uploadUrl: 'https://up.example/x' }), /needs gog\.search\.publicUrl \(CLI --public-url\)/);
      assert.match(
        error({ uploadUrl: 'https://up.example/x', publicUrl: 'ftp://x' }),
        /gog\.search\.publicUrl \(CLI --public-url\) is not a valid http\(s\) URL/,
      );
      assert.match(error({ uploadUrl: 'https://up.example/x', publicUrl: 'https://bob:pw-0123456@pub.example/x' }), /may not carry a user name or password/);
      assert.match(error({ uploadUrl: 's3://crops/p' }), /names an S3 bucket: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
      const inline = error({ uploadUrl: 's3://AKIAINLINE:inline-secret-0123456789@crops/p', env });
      assert.match(inline, /keys do not belong in settings/);
      assert.ok(!inline.includes('inline-secret'));
      assert.match(error({ uploadUrl: 's3://Bad_Bucket/p', env }), /is not an S3 bucket name/);
      assert.match(error({ uploadUrl: 's3://crops/p?acl=public', env }), /takes only \?region= and \?endpoint=/);
      assert.match(error({ uploadUrl: 's3://crops/p?endpoint=ftp://x', env }), /the S3 endpoint must be an http\(s\) URL/);
      assert.match(error({ uploadUrl: 's3://crops/p', env, expiresSeconds: 0 }), /1 s to 7 days/);
    });

    it('builds an HTTP PUT or an S3 uploader; an s3:// setting works end to end against an S3-compatible endpoint', async () => {
      const put = uploaderFromSettings(settings({ uploadUrl: 'https://up.example/in?token=abcdef123', publicUrl: 'https://pub.example/out/' }));
      assert.equal(put.uploader?.id, 'http-put:https://pub.example/out');
      assert.equal(uploaderFromSettings(settings({ uploadUrl: 's3://crops/gog/run', env })).uploader?.id, 's3:crops/gog/run');
      assert.equal(
        uploaderFromSettings(settings({ uploadUrl: 's3://crops/p', env: { ...env, AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000' } })).uploader?.id,
        's3:127.0.0.1:9000/crops/p',
      );

      const creds = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, region: 'ap-south-1', bucket: 'crops' };
      const s3 = await startS3Server(creds);
      try {
        const got = uploaderFromSettings(settings({ uploadUrl: `s3://crops/gog/run?region=ap-south-1&endpoint=${encodeURIComponent(s3.url)}`, env }));
        assert.ok(got.uploader, got.error);
        const url = await got.uploader.upload(crop, never);
        assert.equal(s3.requests.at(-1)!.status, 200, s3.requests.at(-1)!.refusal);
        const read = await fetchBytes(url);
        assert.ok(read.body.equals(crop.data));
        assert.ok(s3.objects.has(`gog/run/${sha(crop)}.jpg`));
      } finally {
        await s3.close();
      }
    });
  });

  it('recordableUrl drops user info, signing parameters and token parameters, and keeps the rest', () => {
    assert.equal(
      recordableUrl('https://u:p@h.example/a.jpg?X-Amz-Signature=abc&x-amz-credential=AKIA%2F1&X-Amz-Security-Token=t&token=s&sig=z&size=large'),
      'https://h.example/a.jpg?size=large',
    );
    assert.equal(recordableUrl('not a url'), '(invalid URL)');
  });
});

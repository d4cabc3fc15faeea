// Uploads by HTTP PUT: the JPEG goes to <uploadUrl>/<sha256>.jpg (content-type image/jpeg)
// and is read back at <publicUrl>/<sha256>.jpg. Credentials for the upload can ride in the
// upload URL (a password or a query-string token, sent but never written or printed) or as
// a Bearer token; errors and the id name the place without them.
import { parseEndpoint, publicEndpoint } from '../../model/endpoint';
import type { HttpPolicy, Uploader } from '../kit';
import { requestService, statusError } from '../pages/request';
import { contentName, UploadOnce, withName } from './contentName';

export interface HttpPutOptions {
  /** Sent as `Authorization: Bearer <token>` with each PUT. */
  token?: string;
}

/** A PUT answer is a short acknowledgement at most. */
const ANSWER_MAX_BYTES = 64 * 1024;

export function httpPutUploader(uploadUrl: string, publicUrl: string, policy: HttpPolicy, options: HttpPutOptions = {}): Uploader {
  const upload = parseEndpoint(uploadUrl);
  const provider = `Upload to ${upload.public}`;
  const secrets = [...upload.secrets, options.token];
  const once = new UploadOnce();
  return {
    id: `http-put:${publicEndpoint(publicUrl)}`,
    async upload(image, signal) {
      const name = contentName(image);
      await once.run(name, async () => {
        const res = await requestService(
          {
            provider,
            url: withName(uploadUrl, name),
            method: 'PUT',
            headers: { 'content-type': 'image/jpeg', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
            body: image.data,
            maxBytes: ANSWER_MAX_BYTES,
            // A redirected PUT would need its body sent again elsewhere: an error instead.
            maxRedirects: 0,
            secrets,
          },
          policy,
          signal,
        );
        if (res.status < 200 || res.status > 299) throw statusError({ provider, secrets }, res);
      });
      return withName(publicUrl, name);
    },
  };
}

// Uploaded images are named by their content, so the same crop uploaded twice is one
// object, and an uploader can skip an upload it already made.
import { createHash } from 'node:crypto';
import type { EncodedImage } from '../../core/ports';

/** `<sha256 of the JPEG>.jpg` */
export function contentName(image: EncodedImage): string {
  return `${createHash('sha256').update(image.data).digest('hex')}.jpg`;
}

/** Runs each named upload once; a failed one may be tried again. */
export class UploadOnce {
  private readonly done = new Map<string, Promise<void>>();

  run(name: string, upload: () => Promise<void>): Promise<void> {
    let p = this.done.get(name);
    if (!p) {
      p = upload();
      this.done.set(name, p);
      void p.catch(() => this.done.delete(name));
    }
    return p;
  }
}

/** `base` with `/name` added to its path (its query string, if any, kept). */
export function withName(base: string, name: string): string {
  const u = new URL(base);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/${name}`;
  return u.href;
}

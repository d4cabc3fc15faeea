// Hot-exit backups of a trajectory with unsaved annotations: the annotations a save would
// append, and a fingerprint of the bytes they go after, so a restore can tell whether the
// file is still the one they were made on (or that plus appended lines).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { annotationSchema, type AnnotationEvent } from '../core/trajectory';
import { parseJson } from '../core/json';

const backupSchema = z.object({
  kind: z.literal('gog-trajectory-backup'),
  version: z.literal(1),
  /** Length and sha256 of the file's bytes when backed up. */
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  pending: z.array(annotationSchema),
});

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function serializeBackup(fileBytes: Buffer, pending: readonly AnnotationEvent[]): string {
  return JSON.stringify({
    kind: 'gog-trajectory-backup',
    version: 1,
    bytes: fileBytes.length,
    sha256: sha256(fileBytes),
    pending: [...pending],
  } satisfies z.infer<typeof backupSchema>);
}

export type Restored = { ok: true; pending: AnnotationEvent[]; conflict?: string } | { ok: false; message: string };

/** The backed-up annotations, and whether the file has changed since otherwise than by appending. */
export function restoreBackup(text: string, fileBytes: Buffer): Restored {
  let json: unknown;
  try {
    json = parseJson(text);
  } catch {
    return { ok: false, message: 'the backup is not JSON' };
  }
  const parsed = backupSchema.safeParse(json);
  if (!parsed.success) return { ok: false, message: `the backup is not one of ours (${parsed.error.issues[0]?.message ?? 'invalid'})` };
  const b = parsed.data;
  const same = fileBytes.length >= b.bytes && sha256(fileBytes.subarray(0, b.bytes)) === b.sha256;
  return { ok: true, pending: b.pending, ...(same ? {} : { conflict: 'it changed on disk after the unsaved annotations were backed up' }) };
}

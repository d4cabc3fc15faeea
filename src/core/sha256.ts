// The sha256 of bytes of any size: Node's hash refuses one update of more than 2^31 − 1
// bytes ("data is too long"), so a large buffer is hashed a piece at a time.
import { createHash } from 'node:crypto';

const PIECE = 1024 * 1024 * 1024;

export function sha256Hex(data: Uint8Array): string {
  const hash = createHash('sha256');
  for (let at = 0; at < data.byteLength; at += PIECE) hash.update(data.subarray(at, at + PIECE));
  return hash.digest('hex');
}

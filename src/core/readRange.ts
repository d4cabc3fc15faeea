// Reading a range of a file into one buffer, in pieces: a single read(2) of more than
// 2^31 − 1 bytes is not an error Node reports but an assertion that aborts the process
// (`args[3]->IsInt32()`), so no read asks for more than READ_PIECE_BYTES at once.
import type { FileHandle } from 'node:fs/promises';

/** The most one read asks for. */
export const READ_PIECE_BYTES = 256 * 1024 * 1024;

/**
 * Reads `length` bytes from `position` into `into` (a new buffer by default), a piece at a
 * time; fewer when the file ends first. Returns the bytes read, as a view of the buffer.
 */
export async function readInto(handle: FileHandle, into: Buffer, position: number, length = into.length): Promise<Buffer> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(into, done, Math.min(READ_PIECE_BYTES, length - done), position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return into.subarray(0, done);
}

/** Exactly `length` bytes from `position`; an error when the file is shorter. */
export async function readRange(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const bytes = await readInto(handle, Buffer.allocUnsafe(length), position, length);
  if (bytes.length !== length) throw new Error(`the file ended at byte ${position + bytes.length}, before byte ${position + length}`);
  return bytes;
}

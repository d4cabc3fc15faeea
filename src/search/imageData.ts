// Where an image index keeps what only the few images a search needs are read for: each
// image's 64-pixel pixels (for the exact matcher) and thumbnail (for the hit), a thousand
// images to a data file. In the index folder, data files are index files of their own
// (atomic, CRC-checked per chunk); without one, they stay in memory.
import { z } from 'zod';
import { IndexFile, IndexFileError, writeIndexFile } from './indexFile';

/** Bumped whenever what a data file holds changes. */
export const IMAGE_DATA_KIND = 'gog-corpus-image-data/1';

/** Where a build puts its data files, and where a search reads them. */
export interface ImageDataStore {
  write(file: number, data: Uint8Array): Promise<void>;
  read(file: number, offset: number, length: number): Promise<Uint8Array>;
}

/** Data files kept in memory (no index folder). */
export function memoryDataStore(): ImageDataStore {
  const files = new Map<number, Uint8Array>();
  return {
    write: async (file, data) => void files.set(file, data),
    read: async (file, offset, length) => {
      const data = files.get(file);
      if (!data || offset + length > data.length) throw new IndexFileError(`image data ${file} is missing`);
      return data.subarray(offset, offset + length);
    },
  };
}

/**
 * Data files in the index folder, `<key>-<n>` beside the image index `<key>`, each written
 * atomically as the build fills it. One that cannot be written stays in memory, and the
 * index is then not stored (`stored` turns false): it lives for this corpus object only.
 */
export function folderDataStore(fileOf: (n: number) => string, key: string): ImageDataStore & { readonly stored: boolean } {
  const kept = new Map<number, Uint8Array>();
  const readers = new Map<number, Promise<(offset: number, length: number) => Promise<Uint8Array>>>();
  let stored = true;
  return {
    get stored() {
      return stored;
    },
    async write(n, data) {
      try {
        await writeIndexFile(fileOf(n), IMAGE_DATA_KIND, `${key}/${n}`, {}, [{ name: 'data', data, chunked: true }]);
      } catch {
        stored = false;
        kept.set(n, data);
      }
    },
    async read(n, offset, length) {
      const inMemory = kept.get(n);
      if (inMemory) return inMemory.subarray(offset, offset + length);
      let reader = readers.get(n);
      if (!reader) {
        reader = IndexFile.open(fileOf(n), IMAGE_DATA_KIND, `${key}/${n}`, z.unknown()).then((file) => {
          if (!file) throw new IndexFileError(`${fileOf(n)} is missing or damaged`);
          return file.chunked('data');
        });
        reader.catch(() => readers.delete(n));
        readers.set(n, reader);
      }
      return (await reader)(offset, length);
    },
  };
}

// Paths to the real photographs (media/demo/images, with PROVENANCE.md) and temp folders.
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const DEMO = path.join(ROOT, 'media', 'demo');
export const CORPUS = path.join(DEMO, 'corpus');
export const PHOTOS = ['astronaut.png', 'chelsea.png', 'coffee.png', 'hubble_deep_field.jpg', 'rocket.jpg'] as const;

export function photo(name: (typeof PHOTOS)[number]): string {
  return path.join(DEMO, 'images', name);
}

/** A temp folder removed after the current mocha suite. */
export function tempDir(prefix = 'gog-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

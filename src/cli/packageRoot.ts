// Where the package's own files (media/demo) are, from the bundle in dist/ or from src/ under tsx.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseJson } from '../core/json';

export function packageRoot(start = __dirname): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((parseJson(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'glance-or-gaze-studio') return dir;
      } catch {
        // not ours; keep looking
      }
    }
    if (path.dirname(dir) === dir) throw new Error(`cannot find the glance-or-gaze-studio package above ${start}`);
  }
}

export function demoDir(): string {
  return path.join(packageRoot(), 'media', 'demo');
}

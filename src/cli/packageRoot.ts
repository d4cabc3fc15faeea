// Where the package's own files (media/demo, dist/webview) are, from the bundle in dist/ or
// from src/ under tsx: this repository, or the `gog` npm package made of it (scripts/packCli.mjs).
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseJson } from '../core/json';

/** The repository's name, and the npm package's. */
const PACKAGE_NAMES = ['glance-or-gaze-studio', 'glance-or-gaze'];

interface Manifest {
  name?: string;
  version?: string;
}

function manifestAt(dir: string): Manifest | undefined {
  try {
    const m = parseJson(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
    return PACKAGE_NAMES.includes(m.name ?? '') ? m : undefined;
  } catch {
    return undefined; // none, or not ours: keep looking
  }
}

export function packageRoot(start = __dirname): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && manifestAt(dir)) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the glance-or-gaze package above ${start}; reinstall`);
  }
}

export function demoDir(): string {
  return path.join(packageRoot(), 'media', 'demo');
}

/** The version in the package's package.json. */
export function packageVersion(): string {
  const version = manifestAt(packageRoot())?.version;
  if (!version) throw new Error('the package.json of gog has no version; reinstall');
  return version;
}

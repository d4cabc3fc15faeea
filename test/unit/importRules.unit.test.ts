// The layers' import rules, held against the code: the table in docs/ARCHITECTURE.md says
// which layer may import which, and every import of src/ and webview/ (resolved to the file
// it names, type-only imports included) must follow it. No exceptions are listed: a new
// upward arrow fails here, and is fixed by moving the declaration down, not by a waiver.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');

/** `src/core/` → 'core', `webview/` → 'webview': the layer names the table uses. */
function layerName(folder: string): string {
  return folder.replace(/^src\//, '').replace(/\/$/, '');
}

/** The table under "## Import rules": layer → the layers it may import. */
function readRules(): Map<string, Set<string>> {
  const doc = readFileSync(path.join(ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8');
  const section = doc.split(/^## /m).find((s) => s.startsWith('Import rules'));
  if (!section) throw new Error('docs/ARCHITECTURE.md has no "## Import rules" section');
  const rules = new Map<string, Set<string>>();
  for (const m of section.matchAll(/^\|\s*`([^`]+)`\s*\|\s*([^|]*?)\s*\|\s*$/gm)) {
    const allowed = m[2]! === 'nothing of ours' ? [] : m[2]!.split(',').map((s) => s.trim());
    rules.set(layerName(m[1]!), new Set(allowed));
  }
  return rules;
}

/** The layer a file of the repository belongs to, or undefined outside src/ and webview/. */
function layerOf(file: string): string | undefined {
  const [top, second] = path.relative(ROOT, file).split(path.sep);
  if (top === 'webview') return 'webview';
  if (top === 'src' && second && !second.includes('.')) return second;
  return undefined;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return /\.(ts|mts|tsx)$/.test(d.name) && !d.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Every module a file names: static imports and exports, `import type`, dynamic `import()` and `require()`. */
function importsOf(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

describe('import rules (docs/ARCHITECTURE.md)', () => {
  const rules = readRules();
  const files = [...sourceFiles(path.join(ROOT, 'src')), ...sourceFiles(path.join(ROOT, 'webview'))];

  it('names every layer of src/ and webview/ in its table, and only layers it names', () => {
    const layers = new Set(files.map(layerOf).filter((l): l is string => !!l));
    assert.deepEqual([...rules.keys()].sort(), [...layers].sort());
    for (const [layer, allowed] of rules) for (const a of allowed) assert.ok(rules.has(a), `${layer} may import "${a}", which is no layer`);
  });

  it('holds for every import: each layer imports only the layers the table lets it', () => {
    const broken: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      if (!from) continue;
      for (const spec of importsOf(file)) {
        if (spec === 'vscode' && from !== 'extension') broken.push(`${path.relative(ROOT, file)}: imports vscode (only src/extension/ may)`);
        if (!spec.startsWith('.')) continue;
        const to = layerOf(path.resolve(path.dirname(file), spec));
        if (!to || to === from) continue;
        if (!rules.get(from)?.has(to)) broken.push(`${path.relative(ROOT, file)}: ${from} imports ${to} ('${spec}')`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('sees every kind of import, so a rule cannot be passed by spelling one differently', () => {
    const text = [
      "import { a } from '../run/x';",
      "import type { B } from '../run/y';",
      "export { c } from '../run/z';",
      "const d = await import('../run/w');",
      "const e = require('../run/v');",
      '// a comment that says: import { f } from "../run/u";',
    ].join('\n');
    const names = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
    assert.deepEqual(names.sort(), ['../run/v', '../run/w', '../run/x', '../run/y', '../run/z']);
  });
});

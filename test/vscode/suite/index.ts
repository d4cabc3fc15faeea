// The extension-host side of the real-VS-Code tests: runTests() points VS Code here.
import * as path from 'node:path';
import { readdirSync } from 'node:fs';
import { format } from 'node:util';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  const only = process.env.GOG_VSCODE_SUITE; // 'trusted' or 'untrusted'
  // GOG_VSCODE_FILE=trusted.y-benchmark runs that file of the suite alone.
  const file = process.env.GOG_VSCODE_FILE;
  for (const f of readdirSync(__dirname)) {
    if (!f.endsWith('.vscode.test.js')) continue;
    if (only && !f.startsWith(`${only}.`)) continue;
    if (file && f !== `${file}.vscode.test.js`) continue;
    mocha.addFile(path.join(__dirname, f));
  }
  // In code-server the extension host's console is relayed to the browser, among the
  // workbench's own messages; a mark lets the launcher print just these lines.
  const log = console.log;
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => log('[gog-test]', format(...args));
  return new Promise<void>((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}

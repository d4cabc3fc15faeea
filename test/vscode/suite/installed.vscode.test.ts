// Runs inside a real VS Code in which the extension is not under development but installed
// from the VSIX that `npm run package` made: what a user gets. A file the package misses
// (the demo, the corpus, sharp's binary) fails here rather than on the user's machine.
import { strict as assert } from 'node:assert';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readTrajectory } from '../../../src/core/trajectoryFile';
import { recordingFromTrajectory, startReplayServer, type ReplayServer } from '../../../src/model/replayServer';
import type { QueryOutcome } from '../../../src/run/runQuery';
import { EXTENSION_ID, ROCKET_ANSWER, ROCKET_QUESTION, ROCKET_RECORDING } from '../expected';

/** `inner` is `outer` or inside it. */
function isWithin(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

describe('Glance-or-Gaze installed from its VSIX', () => {
  let ext: vscode.Extension<unknown>;
  let server: ReplayServer | undefined;

  before(() => {
    const found = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(found, `${EXTENSION_ID} is installed`);
    ext = found;
  });

  after(async () => {
    await server?.close();
  });

  it('is the copy installed in the extensions folder, not the source folder', () => {
    const extensionsDir = process.env.GOG_TEST_EXTENSIONS_DIR;
    const sourceDir = process.env.GOG_TEST_SOURCE_DIR;
    assert.ok(extensionsDir && sourceDir, 'the runner says where the extensions folder and the sources are');
    assert.ok(isWithin(ext.extensionPath, extensionsDir), `${ext.extensionPath} is inside ${extensionsDir}`);
    assert.ok(!isWithin(ext.extensionPath, sourceDir), `${ext.extensionPath} is not the source folder`);
    // What the package leaves out (see .vscodeignore): had the sources been loaded, these would be there.
    for (const absent of ['src', 'test', 'webview', 'tsconfig.json', 'dist/cli.js'])
      assert.ok(!existsSync(path.join(ext.extensionPath, absent)), `${absent} is not installed`);
  });

  it('Ask About Image… answers from the installed copy against the replay endpoint', async () => {
    const recorded = path.join(ext.extensionPath, 'media', 'demo', 'recorded', ROCKET_RECORDING);
    server = await startReplayServer([recordingFromTrajectory(await readTrajectory(recorded))]);
    const config = vscode.workspace.getConfiguration('gog');
    await config.update('endpoint', server.url, vscode.ConfigurationTarget.Workspace);
    await config.update('boxFormat', 'rel-1000', vscode.ConfigurationTarget.Workspace);
    const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const image = vscode.Uri.file(path.join(root, 'photos', 'rocket.jpg'));
    const outcome = await vscode.commands.executeCommand<QueryOutcome>('gog.askAboutImage', image, { question: ROCKET_QUESTION });
    assert.equal(ext.isActive, true);
    assert.equal(outcome?.stopReason, 'answered', outcome?.error);
    assert.equal(outcome.answer, ROCKET_ANSWER);
    assert.ok(isWithin(outcome.trajectory, root), 'the run is written into the workspace');
    const t = await readTrajectory(outcome.trajectory);
    assert.deepEqual(t.problems, []);
    // The glance ran sharp from the package; the corpus searched is the one installed with it.
    assert.deepEqual(
      t.events.flatMap((e) => (e.type === 'action' ? [e.action.kind] : [])),
      ['image_search', 'text_search', 'answer'],
    );
    const summary = JSON.parse(await fs.readFile(path.join(outcome.runDir, 'run.json'), 'utf8')) as { corpus: string };
    assert.ok(isWithin(summary.corpus, ext.extensionPath), `searched ${summary.corpus}`);
  });

  it('Try the Demo runs from the installed copy: its recorded turns, photographs and corpus are packaged', async () => {
    const outcome = await vscode.commands.executeCommand<QueryOutcome>('gog.tryDemo', {});
    assert.equal(outcome?.stopReason, 'answered', outcome?.error);
    assert.equal(outcome.answer, 'Chandra X-ray Observatory');
    const summary = JSON.parse(await fs.readFile(path.join(outcome.runDir, 'run.json'), 'utf8')) as { image: string };
    assert.ok(isWithin(summary.image, ext.extensionPath), `asked about ${summary.image}`);
  });
});

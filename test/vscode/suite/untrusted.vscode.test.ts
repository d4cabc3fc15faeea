// Runs inside a real VS Code on a workspace that has not been trusted.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { QueryOutcome } from '../../../src/run/runQuery';

describe('Glance-or-Gaze in a real VS Code (untrusted workspace)', () => {
  it('refuses to run the agent, and writes nothing', async function () {
    if (vscode.workspace.isTrusted) {
      // runTests() always passes --disable-workspace-trust; only the code-server launcher can keep trust on.
      this.skip();
    }
    const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const image = vscode.Uri.file(path.join(root, 'photos', 'rocket.jpg'));
    const outcome = await vscode.commands.executeCommand('gog.askAboutImage', image, { question: 'What is this?' });
    assert.equal(outcome, undefined);
    assert.ok(!existsSync(path.join(root, '.gog')), 'no run folder');
    // The endpoint this workspace names is ignored while it is untrusted (restrictedConfigurations).
    const named = JSON.parse(readFileSync(path.join(root, '.vscode', 'settings.json'), 'utf8'))['gog.endpoint'];
    assert.equal(named, 'http://127.0.0.1:9/v1');
    assert.equal(vscode.workspace.getConfiguration('gog').get('endpoint'), 'http://127.0.0.1:8000/v1');
  });

  it('runs the demo all the same: it uses none of the workspace settings (the endpoint named would refuse)', async function () {
    if (vscode.workspace.isTrusted) this.skip();
    const outcome = await vscode.commands.executeCommand<QueryOutcome>('gog.tryDemo', { sample: '5-coffee-no-search' });
    assert.equal(outcome?.stopReason, 'answered', outcome?.error);
    assert.equal(outcome.answer, 'Espresso');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});

// Re-run from Step… and Export Training Data… in a real VS Code (trusted workspace). The
// file sorts after trusted.vscode.test.ts on purpose: that suite first checks the extension
// is not active before its commands run. The model is a wire server on 127.0.0.1.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ChatMessage } from '../../../src/core/chat';
import { readTrajectory } from '../../../src/core/trajectoryFile';
import type { ExportResult } from '../../../src/data/export/exportTrainingData';
import { appendAnnotation } from '../../../src/run/annotate';
import type { RerunOutcome } from '../../../src/run/rerun';
import type { QueryOutcome } from '../../../src/run/runQuery';
import { completion, startWireServer, type WireServer } from '../../helpers/wireServer';

describe('Glance-or-Gaze training data in a real VS Code (trusted workspace)', () => {
  let server: WireServer;
  let parent: QueryOutcome;
  let branch: RerunOutcome;

  before(async () => {
    server = await startWireServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(completion('<think>The patch is STS-93.</think>\n<answer>Chandra X-ray Observatory</answer>'));
    });
    const config = vscode.workspace.getConfiguration('gog');
    await config.update('endpoint', server.url, vscode.ConfigurationTarget.Workspace);
    await config.update('stream', false, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    parent = (await vscode.commands.executeCommand<QueryOutcome>('gog.tryDemo', {}))!;
    assert.equal(parent.stopReason, 'answered', parent.error);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(async () => {
    const config = vscode.workspace.getConfiguration('gog');
    await config.update('stream', undefined, vscode.ConfigurationTarget.Workspace);
    await server?.close();
  });

  it('Re-run from Step… continues a corrected run with the live model and opens the branch in the trajectory editor', async () => {
    const { events } = await readTrajectory(parent.trajectory);
    const gaze = events.find((e) => e.step === 2 && e.type === 'action')!;
    await appendAnnotation(parent.trajectory, { op: 'set_box', target: gaze.id!, box: [96, 300, 260, 470] }, 'test');
    const before = readFileSync(parent.trajectory);

    branch = (await vscode.commands.executeCommand<RerunOutcome>('gog.rerunFromStep', vscode.Uri.file(parent.trajectory), 2))!;
    assert.ok(branch, 'the command returns the outcome');
    assert.equal(branch.stopReason, 'answered', branch.error);
    assert.equal(branch.answer, 'Chandra X-ray Observatory');
    assert.equal(path.dirname(branch.runDir), path.join(parent.runDir, 'branches'));
    assert.deepEqual(readFileSync(parent.trajectory), before, 'the parent is not touched');
    const t = await readTrajectory(branch.branch);
    assert.deepEqual(t.header!.parent, { file: path.relative(branch.runDir, parent.trajectory), id: path.basename(parent.runDir), step: 2 });
    assert.equal(t.header!.model.endpoint, server.url);
    // The model was asked once, after the corrected gaze was carried out: its box is in the conversation.
    const chats = server.requests.filter((r) => r.url.endsWith('/chat/completions')).map((r) => JSON.parse(r.body) as { messages: ChatMessage[] });
    assert.equal(chats.length, 1);
    const box = t.events.find((e) => e.step === 2 && e.type === 'action');
    assert.ok(box?.type === 'action' && box.action.kind === 'image_search' && box.action.box);
    assert.ok(JSON.stringify(chats[0]!.messages).includes(`<bbox>[${box.action.box.model.join(', ')}]</bbox>`));

    const active = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    assert.ok(active instanceof vscode.TabInputCustom, 'a custom editor is active');
    assert.equal(active.viewType, 'gog.trajectory');
    assert.equal(active.uri.fsPath, branch.branch);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Re-run from Step… refuses a step the run does not have, in one line, writing nothing', async () => {
    const branches = readdirSync(path.join(parent.runDir, 'branches'));
    const none = await vscode.commands.executeCommand<RerunOutcome | undefined>('gog.rerunFromStep', vscode.Uri.file(parent.trajectory), 9);
    assert.equal(none, undefined);
    assert.deepEqual(readdirSync(path.join(parent.runDir, 'branches')), branches);
  });

  it('Export Training Data… writes the accepted runs under a folder and counts the rest', async () => {
    await appendAnnotation(parent.trajectory, { op: 'label', label: 'accepted' }, 'test');
    await appendAnnotation(branch.branch, { op: 'label', label: 'accepted' }, 'test');
    const runs = path.dirname(parent.runDir);
    const out = mkdtempSync(path.join(os.tmpdir(), 'gog-export-'));
    const result = await vscode.commands.executeCommand<ExportResult>('gog.exportTrainingData', { paths: [runs], format: 'llama-factory', out });
    assert.ok(result, 'the command returns the result');
    assert.equal(result.out, out);
    // The parent's gaze was corrected after its evidence came back: stale, left out; its branch searched again and goes in.
    assert.equal(result.exported, 1, JSON.stringify(result));
    assert.equal(result.skipped.stale, 1, JSON.stringify(result));
    assert.equal(result.found, result.exported + Object.values(result.skipped).reduce((a, b) => a + b, 0));
    const data = JSON.parse(readFileSync(result.data, 'utf8')) as { messages: unknown[]; images: string[] }[];
    assert.equal(data.length, 1);
    for (const sample of data) for (const image of sample.images) assert.ok(existsSync(path.join(out, image)), image);
    const manifest = readFileSync(result.manifest, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { trajectory: string; parent?: { step: number } });
    assert.deepEqual(
      manifest.map((m) => [m.trajectory, m.parent?.step]),
      [[branch.branch, 2]],
    );

    // A folder that holds files is never written into: the export gets a new folder inside it.
    writeFileSync(path.join(out, 'notes.txt'), 'mine');
    const again = await vscode.commands.executeCommand<ExportResult>('gog.exportTrainingData', { paths: [runs], format: 'openai', out });
    assert.equal(path.dirname(again.out), out);
    assert.match(path.basename(again.out), /^gog-openai-/);
    assert.equal(again.exported, 1);
    assert.equal(readFileSync(path.join(out, 'notes.txt'), 'utf8'), 'mine');
    assert.deepEqual(JSON.parse(readFileSync(result.data, 'utf8')), data);
  });
});

// Runs inside a real VS Code extension host, with the real `vscode` API, in a trusted
// workspace that holds a copy of the rocket photo. The model endpoint is the replay
// server on 127.0.0.1, started by the test; search is the bundled local corpus.
import { strict as assert } from 'node:assert';
import { existsSync, promises as fs } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readTrajectory } from '../../../src/core/trajectoryFile';
import { recordingFromTrajectory, startReplayServer, type ReplayOptions, type ReplayServer } from '../../../src/model/replayServer';
import type { QueryOutcome } from '../../../src/run/runQuery';
import { EXTENSION_ID, ROCKET_ANSWER, ROCKET_QUESTION as QUESTION, ROCKET_RECORDING } from '../expected';

const KEY = 'sk-gog-test-4d1e8c0b9a7f';

function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test opens a workspace folder');
  return folder.uri.fsPath;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(p)));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

describe('Glance-or-Gaze in a real VS Code (trusted workspace)', () => {
  let server: ReplayServer;
  const authorizations: (string | undefined)[] = [];
  let image: vscode.Uri;
  // Read by the server at every request, so a test can slow the model down.
  const serverOptions: ReplayOptions = {
    onRequest: (_body: unknown, _n: number, headers: IncomingHttpHeaders) => authorizations.push(headers.authorization),
  };

  before(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is installed for development`);
    const recorded = path.join(ext.extensionPath, 'media', 'demo', 'recorded', ROCKET_RECORDING);
    server = await startReplayServer([recordingFromTrajectory(await readTrajectory(recorded))], serverOptions);
    image = vscode.Uri.file(path.join(workspaceRoot(), 'photos', 'rocket.jpg'));
    assert.ok(existsSync(image.fsPath));
    const config = vscode.workspace.getConfiguration('gog');
    await config.update('endpoint', server.url, vscode.ConfigurationTarget.Workspace);
    await config.update('boxFormat', 'rel-1000', vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await server?.close();
  });

  it('is not active until one of its commands runs, then activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    assert.equal(ext.isActive, false, 'activationEvents are the commands only');
    await vscode.commands.executeCommand('gog.setApiKey', '');
    assert.equal(ext.isActive, true);
  });

  it('registers every command it contributes', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributed = (ext.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.ok(contributed.length >= 2);
    for (const c of contributed) assert.ok(registered.has(c), `${c} is registered`);
  });

  it('contributes a Get Started walkthrough whose steps run commands that exist', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    type Step = { id: string; title: string; description: string; media: Record<string, unknown> };
    const walkthroughs = (ext.packageJSON.contributes.walkthroughs ?? []) as { id: string; steps: Step[] }[];
    const getStarted = walkthroughs.find((w) => w.id === 'getStarted');
    assert.ok(getStarted, 'a getStarted walkthrough');
    assert.deepEqual(
      getStarted.steps.map((s) => s.id),
      ['tryDemo', 'endpoint', 'apiKey', 'ask', 'openTrajectory'],
    );
    // The workbench test opens it and looks at it.
    const registered = new Set(await vscode.commands.getCommands(false));
    for (const step of getStarted.steps) {
      const commands = [...step.description.matchAll(/\(command:([\w.]+)/g)].map((m) => m[1]!);
      assert.ok(commands.length, `${step.id} has a button`);
      for (const c of commands) assert.ok(registered.has(c), `${step.id}: ${c} is a command`);
      const media = ['markdown', 'image', 'svg'].map((k) => step.media[k]).filter((m): m is string => typeof m === 'string');
      assert.equal(media.length, 1, `${step.id} has media`);
      assert.ok(existsSync(path.join(ext.extensionPath, media[0]!)), `${media[0]} exists`);
    }
  });

  it('Glance-or-Gaze: Ask About Image… writes a trajectory into the workspace and reports the answer', async () => {
    assert.equal(vscode.workspace.isTrusted, true);
    const outcome = await vscode.commands.executeCommand<QueryOutcome>('gog.askAboutImage', image, { question: QUESTION });
    assert.ok(outcome, 'the command returns the outcome');
    assert.equal(outcome.stopReason, 'answered', outcome.error);
    assert.equal(outcome.answer, ROCKET_ANSWER);
    assert.equal(outcome.turns, 3);
    const rel = path.relative(workspaceRoot(), outcome.trajectory);
    assert.match(rel, /^\.gog\/runs\/\d{8}-\d{6}-[0-9a-f]{6}\/trajectory\.jsonl$/);
    const t = await readTrajectory(outcome.trajectory);
    assert.deepEqual(t.problems, []);
    assert.equal(t.header!.question, QUESTION);
    assert.equal(t.header!.model.boxFormat, 'rel-1000');
    assert.deepEqual(
      t.events.filter((e) => e.type === 'action').map((e) => (e.type === 'action' ? e.action.kind : '')),
      ['image_search', 'text_search', 'answer'],
    );
  });

  it('opens the trajectory panel for a run, and trajectory files in the trajectory view', async () => {
    const outcome = await vscode.commands.executeCommand<QueryOutcome>('gog.askAboutImage', image, { question: QUESTION });
    assert.equal(outcome?.stopReason, 'answered');
    const webviewTabs = () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('gog.trajectoryPanel'));
    assert.ok(webviewTabs().length >= 1, 'the run opened its panel');
    assert.equal(webviewTabs().at(-1)!.label, 'Glance-or-Gaze: rocket.jpg');

    assert.equal(await vscode.commands.executeCommand('gog.openTrajectory', vscode.Uri.file(outcome.trajectory)), true);
    const active = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    assert.ok(active instanceof vscode.TabInputCustom, 'a custom editor is active');
    assert.equal(active.viewType, 'gog.trajectory');
    assert.equal(active.uri.fsPath, outcome.trajectory);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Try the Demo runs a recorded question for real, without a model server: answered, on disk, in the panel', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // An options argument skips the pick of a question: the first one, or the one named.
    const outcome = await vscode.commands.executeCommand<QueryOutcome>('gog.tryDemo', {});
    assert.ok(outcome, 'the command returns the outcome');
    assert.equal(outcome.stopReason, 'answered', outcome.error);
    assert.equal(outcome.answer, 'Chandra X-ray Observatory');
    assert.equal(outcome.turns, 4, 'gaze, reflect and gaze again, text search, answer');
    assert.deepEqual(outcome.score, { exactMatch: 1, f1: 1 });
    // Where Ask About Image's runs go.
    assert.match(path.relative(workspaceRoot(), outcome.trajectory), /^\.gog\/runs\/\d{8}-\d{6}-[0-9a-f]{6}\/trajectory\.jsonl$/);
    const t = await readTrajectory(outcome.trajectory);
    assert.deepEqual(t.problems, []);
    assert.equal(t.header!.note, 'demo: replay of recorded/1-astronaut-patch.trajectory.jsonl');
    // The demo's own endpoint and recorded settings, not the workspace's gog.* settings.
    assert.notEqual(t.header!.model.endpoint, server.url);
    assert.match(t.header!.model.endpoint, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    assert.equal(t.header!.model.boxFormat, 'pixels-sent');
    const panels = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((tab) => tab.input instanceof vscode.TabInputWebview);
    assert.deepEqual(
      panels.map((tab) => tab.label),
      ['Glance-or-Gaze: astronaut.png'],
      'the run streamed into its trajectory panel',
    );

    const named = await vscode.commands.executeCommand<QueryOutcome>('gog.tryDemo', { sample: '3-hubble-galaxies' });
    assert.equal(named?.stopReason, 'answered', named?.error);
    assert.equal((await readTrajectory(named.trajectory)).header!.model.dialect, 'mmsearch-r1');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('finishes a run whose panel was closed while it ran', async () => {
    serverOptions.latencyMs = 400; // three model turns: the run outlives the close by far
    try {
      let settled = false;
      const running = Promise.resolve(vscode.commands.executeCommand<QueryOutcome>('gog.askAboutImage', image, { question: QUESTION })).finally(
        () => (settled = true),
      );
      const panelOpen = () => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputWebview));
      for (let i = 0; i < 300 && !panelOpen(); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(panelOpen(), 'the run opened its panel');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      assert.equal(settled, false, 'the panel was closed while the run was still going');
      const outcome = await running;
      assert.equal(outcome?.stopReason, 'answered', `closing the view does not fail the run: ${outcome?.error}`);
      assert.equal(outcome?.answer, ROCKET_ANSWER);
    } finally {
      delete serverOptions.latencyMs;
    }
  });

  it('reads settings at every run: a change takes effect without a reload', async () => {
    const config = vscode.workspace.getConfiguration('gog');
    await config.update('maxTurns', 1, vscode.ConfigurationTarget.Workspace);
    try {
      const outcome = await vscode.commands.executeCommand<QueryOutcome>('gog.askAboutImage', image, { question: QUESTION });
      assert.equal(outcome?.stopReason, 'max_turns');
      assert.equal(outcome?.turns, 1);
      const t = await readTrajectory(outcome.trajectory);
      assert.equal(t.header!.agent.maxTurns, 1);
    } finally {
      await config.update('maxTurns', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await config.update('model', 'no-such-model', vscode.ConfigurationTarget.Workspace);
    try {
      const refused = await vscode.commands.executeCommand<QueryOutcome | undefined>('gog.askAboutImage', image, { question: QUESTION });
      assert.equal(refused, undefined, 'a run that cannot start returns nothing (the error is shown)');
    } finally {
      await config.update('model', undefined, vscode.ConfigurationTarget.Workspace);
    }
    // A value settings.json can hold but the setting cannot take: refused, nothing written.
    const runs = path.join(workspaceRoot(), '.gog', 'runs');
    const before = (await fs.readdir(runs)).length;
    await config.update('maxTurns', 'many', vscode.ConfigurationTarget.Workspace);
    try {
      const refused = await vscode.commands.executeCommand<QueryOutcome | undefined>('gog.askAboutImage', image, { question: QUESTION });
      assert.equal(refused, undefined, 'a setting of the wrong type stops the run before it starts');
      assert.equal((await fs.readdir(runs)).length, before, 'no run folder');
    } finally {
      await config.update('maxTurns', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('Glance-or-Gaze: Set API Key stores the key in SecretStorage: it reaches the endpoint and no file or setting', async () => {
    authorizations.length = 0;
    assert.equal(await vscode.commands.executeCommand('gog.setApiKey', KEY), true);
    const outcome = await vscode.commands.executeCommand<QueryOutcome>('gog.askAboutImage', image, { question: QUESTION });
    assert.equal(outcome?.stopReason, 'answered');
    assert.ok(authorizations.length >= 3);
    assert.ok(
      authorizations.every((a) => a === `Bearer ${KEY}`),
      JSON.stringify(authorizations),
    );

    // Nowhere on disk: workspace (settings, runs, logs of ours) and the profile (settings, logs, state).
    const roots = [workspaceRoot(), process.env.GOG_TEST_PROFILE_DIR].filter((d): d is string => !!d);
    assert.ok(roots.length === 2, 'the runner tells the tests where the profile is');
    for (const root of roots) {
      for (const file of await filesUnder(root)) {
        const bytes = await fs.readFile(file);
        assert.ok(!bytes.includes(KEY), `the API key was written to ${file}`);
      }
    }
    const inspected = vscode.workspace.getConfiguration('gog');
    assert.ok(!JSON.stringify(inspected).includes(KEY));

    // Removing it: requests carry the SDK's placeholder again.
    await vscode.commands.executeCommand('gog.setApiKey', '');
    authorizations.length = 0;
    await vscode.commands.executeCommand('gog.askAboutImage', image, { question: QUESTION });
    const afterRemoval: (string | undefined)[] = [...authorizations];
    assert.ok(afterRemoval.length > 0 && afterRemoval.every((a) => a === 'Bearer EMPTY'), JSON.stringify(afterRemoval));
  });
});

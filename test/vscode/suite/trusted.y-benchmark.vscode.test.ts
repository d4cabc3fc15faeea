// Run Benchmark… in a real VS Code (trusted workspace): the command runs a dataset through the
// same runner as `gog bench` against a wire server on 127.0.0.1, writes the run under
// .gog/runs/, and the Runs view lists it with its score.
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunSummary } from '../../../src/data/results';
import type { GogApi } from '../../../src/extension/extension';
import { completion, startWireServer, type WireServer } from '../../helpers/wireServer';

describe('Run Benchmark… in a real VS Code (trusted workspace)', () => {
  let server: WireServer;
  const workspace = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;

  before(async () => {
    // The model answers "Apollo 11" whatever it is asked: samples whose gold it is are right.
    server = await startWireServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(completion('<think>The patch says so.</think>\n<answer>Apollo 11</answer>'));
    });
    const config = vscode.workspace.getConfiguration('gog');
    await config.update('endpoint', server.url, vscode.ConfigurationTarget.Workspace);
    await config.update('stream', false, vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    const config = vscode.workspace.getConfiguration('gog');
    await config.update('stream', undefined, vscode.ConfigurationTarget.Workspace);
    await server?.close();
  });

  it('runs a dataset into a run folder with one result per sample, and the Runs view lists it', async () => {
    const data = path.join(workspace(), 'bench-data');
    mkdirSync(data, { recursive: true });
    copyFileSync(path.join(workspace(), 'photos', 'rocket.jpg'), path.join(data, 'rocket.jpg'));
    const golds = ['Apollo 11', 'Gemini 4', 'apollo 11', 'Skylab', 'The Apollo 11'];
    const records = golds.map((answer, i) => ({ id: `q${i}`, question: `Which mission is this (${i})?`, answer, image: 'rocket.jpg' }));
    // A broken record is listed and skipped; the rest runs.
    const lines = [...records.map((r) => JSON.stringify(r)), '{"id": "broken",'];
    writeFileSync(path.join(data, 'dataset.jsonl'), lines.join('\n') + '\n');

    const run = await vscode.commands.executeCommand<string | undefined>('gog.runBenchmark', vscode.Uri.file(path.join(data, 'dataset.jsonl')), {
      concurrency: 2,
      confirm: false,
    });
    assert.ok(run, 'the command returns the run folder');
    assert.equal(path.dirname(run), path.join(workspace(), '.gog', 'runs'));
    const results = readFileSync(path.join(run, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; answer: string; scores: { exactMatch: number } });
    assert.deepEqual(results.map((r) => r.id).sort(), ['q0', 'q1', 'q2', 'q3', 'q4']);
    // Exact match after normalisation: case, articles.
    const right = Object.fromEntries(results.map((r) => [r.id, r.scores.exactMatch]));
    assert.deepEqual(right, { q0: 1, q1: 0, q2: 1, q3: 0, q4: 1 });
    const summary = JSON.parse(readFileSync(path.join(run, 'summary.json'), 'utf8')) as RunSummary;
    assert.equal(summary.done, 5);
    assert.ok(Math.abs(summary.all.accuracy - 0.6) < 1e-9, `accuracy ${summary.all.accuracy}`);

    const api = vscode.extensions.getExtension<GogApi>('gog-studio.glance-or-gaze-studio')?.exports;
    assert.ok(api?.runs, 'the extension exports its runs API');
    const listed = (await api.runs.runs()).find((r) => r.dir === run);
    assert.ok(listed, 'the Runs view lists the new run');
    assert.equal(listed.done, 5);
    assert.equal(listed.correct, 3);
  });
});

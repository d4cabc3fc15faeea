// Run Benchmark… in a real VS Code (trusted workspace): the command runs a dataset through the
// same runner as `gog bench` against a wire server on 127.0.0.1, writes the run under
// .gog/runs/, and the Runs view lists it with its score. With the CLI's choices as scripted
// options: concurrency, rollouts, a judge whose key is in SecretStorage, and a resume.
import { strict as assert } from 'node:assert';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

  describe("with the CLI's choices: concurrency, rollouts, a judge, then a resume", () => {
    let judge: WireServer;
    let model: WireServer;
    // Until the resume, the model's endpoint fails question 3: its results end in an endpoint error, and the run is unfinished.
    let failQ3 = true;
    let datasetFile: vscode.Uri;
    let firstRun: string;

    before(async () => {
      judge = await startWireServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(completion('<judge>Correct</judge><reason>It names the mission.</reason>'));
      }, 'judge-model');
      model = await startWireServer((_req, res, body) => {
        if (failQ3 && body.includes('(3)')) {
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: 'overloaded' } }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(completion('<think>The patch says so.</think>\n<answer>Apollo 11</answer>'));
      });
      const config = vscode.workspace.getConfiguration('gog');
      await config.update('endpoint', model.url, vscode.ConfigurationTarget.Workspace);
      await config.update('retries', 0, vscode.ConfigurationTarget.Workspace);
      const data = path.join(workspace(), 'bench-choices');
      mkdirSync(data, { recursive: true });
      copyFileSync(path.join(workspace(), 'photos', 'rocket.jpg'), path.join(data, 'rocket.jpg'));
      const golds = ['Apollo 11', 'Gemini 4', 'Apollo 11', 'Skylab', 'Apollo 11'];
      const records = golds.map((answer, i) => ({ id: `c${i}`, question: `Which mission is this (${i})?`, answer, image: 'rocket.jpg' }));
      writeFileSync(path.join(data, 'dataset.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
      datasetFile = vscode.Uri.file(path.join(data, 'dataset.jsonl'));
      // The judge's key, stored as Set Judge API Key stores it.
      assert.equal(await vscode.commands.executeCommand('gog.setJudgeApiKey', 'judge-secret-0123456789'), true);
    });

    after(async () => {
      const config = vscode.workspace.getConfiguration('gog');
      await config.update('retries', undefined, vscode.ConfigurationTarget.Workspace);
      await config.update('endpoint', server.url, vscode.ConfigurationTarget.Workspace);
      await vscode.commands.executeCommand('gog.setJudgeApiKey', '');
      await judge?.close();
      await model?.close();
    });

    const results = (run: string) =>
      readFileSync(path.join(run, 'results.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { id: string; rollout: number; errorKind?: string; scores: { judge?: { correct: boolean; model: string } } });

    it('refuses a bad scripted choice in one line and runs nothing', async () => {
      const runs = path.join(workspace(), '.gog', 'runs');
      const before = existsSync(runs) ? readdirSync(runs).length : 0;
      for (const bad of [{ concurrency: 0 }, { rollouts: 'two' }, { judgeModel: 'judge-model' }, { shard: '2/2' }, { map: 'question=q' }, { concurency: 2 }]) {
        const run = await vscode.commands.executeCommand<string | undefined>('gog.runBenchmark', datasetFile, { ...bad, confirm: false });
        assert.equal(run, undefined, JSON.stringify(bad));
      }
      assert.equal(existsSync(runs) ? readdirSync(runs).length : 0, before, 'no run folder was made');
      assert.equal(model.requests.length, 0, 'the endpoint was not asked');
    });

    it('runs with concurrency 2, 2 rollouts and a judge that gets its own key; a failed sample leaves the run unfinished', async () => {
      const run = await vscode.commands.executeCommand<string | undefined>('gog.runBenchmark', datasetFile, {
        concurrency: 2,
        rollouts: 2,
        judgeEndpoint: judge.url,
        judgeModel: 'judge-model',
        confirm: false,
      });
      assert.ok(run, 'the command returns the run folder');
      firstRun = run;
      const meta = JSON.parse(readFileSync(path.join(run, 'bench.json'), 'utf8')) as { rollouts: number; judge?: { model: string } };
      assert.equal(meta.rollouts, 2);
      assert.equal(meta.judge?.model, 'judge-model');
      const got = results(run);
      assert.equal(got.length, 10, 'five samples × two rollouts');
      assert.deepEqual(
        got
          .filter((r) => r.errorKind === 'endpoint')
          .map((r) => `${r.id}-${r.rollout}`)
          .sort(),
        ['c3-0', 'c3-1'],
      );
      for (const r of got.filter((r) => !r.errorKind)) assert.equal(r.scores.judge?.model, 'judge-model', `${r.id}-${r.rollout} was judged`);
      // The judge's key went to the judge only; the model's endpoint never saw it.
      const judged = judge.requests.filter((r) => r.method === 'POST');
      assert.equal(judged.length, 8);
      for (const r of judged) assert.equal(r.headers?.authorization, 'Bearer judge-secret-0123456789');
      for (const r of model.requests) assert.ok(!JSON.stringify(r).includes('judge-secret-0123456789'), 'no judge key at the model');
    });

    it('takes the stopped run up with resume: the same folder, its rollouts and judge, every sample once', async () => {
      failQ3 = false;
      const judgedBefore = judge.requests.filter((r) => r.method === 'POST').length;
      const run = await vscode.commands.executeCommand<string | undefined>('gog.runBenchmark', datasetFile, {
        resume: firstRun,
        concurrency: 2,
        confirm: false,
      });
      assert.equal(run, firstRun, 'the run taken up, not a new one');
      const got = results(run);
      const final = new Map<string, (typeof got)[number]>();
      for (const r of got) final.set(`${r.id}-${r.rollout}`, r);
      assert.equal(final.size, 10);
      for (const [k, r] of final) {
        assert.equal(r.errorKind, undefined, `${k} has its final result`);
        assert.equal(r.scores.judge?.model, 'judge-model', `${k} was judged`);
      }
      assert.equal(judge.requests.filter((r) => r.method === 'POST').length - judgedBefore, 2, 'only the two results that failed ran again');
      const summary = JSON.parse(readFileSync(path.join(run, 'summary.json'), 'utf8')) as RunSummary;
      assert.equal(summary.done, 10);
      // A run that is not this dataset's is not taken up.
      const other = await vscode.commands.executeCommand<string | undefined>('gog.runBenchmark', datasetFile, {
        resume: path.join(workspace(), 'bench-data'),
        confirm: false,
      });
      assert.equal(other, undefined);
    });
  });
});

// A live web search from inside a real VS Code: the text search provider chosen through the
// settings (Brave, pointed at a server on 127.0.0.1 that answers in Brave's documented
// shape), its key given through Glance-or-Gaze: Set Search API Key…; the run's text search
// reaches the service with that key, the results are recorded, and the key is in no file
// of the workspace or the profile.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readTrajectory } from '../../../src/core/trajectoryFile';
import type { ObservationEvent } from '../../../src/core/trajectory';
import { recordingFromTrajectory, startReplayServer, type ReplayServer } from '../../../src/model/replayServer';
import type { QueryOutcome } from '../../../src/run/runQuery';
import { EXTENSION_ID, ROCKET_ANSWER, ROCKET_QUESTION, ROCKET_RECORDING } from '../expected';

const BRAVE_KEY = 'BSA-vscode-test-key-7f3a91';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(p)));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

describe('a web search configured in VS Code (trusted workspace)', () => {
  let model: ReplayServer;
  let brave: http.Server;
  let braveUrl = '';
  const seen: { path: string; q: string | null; token: string | undefined }[] = [];
  const config = () => vscode.workspace.getConfiguration('gog');
  const touched = ['endpoint', 'boxFormat', 'search.text', 'search.providerUrls'];

  before(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    model = await startReplayServer([
      recordingFromTrajectory(await readTrajectory(path.join(ext.extensionPath, 'media', 'demo', 'recorded', ROCKET_RECORDING))),
    ]);
    // Brave's documented answer: {type: 'search', web: {results: [{title, url, description, profile, meta_url}]}}.
    brave = http.createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://brave');
      seen.push({ path: u.pathname, q: u.searchParams.get('q'), token: req.headers['x-subscription-token'] as string | undefined });
      if (req.headers['x-subscription-token'] !== BRAVE_KEY) {
        res.writeHead(422, { 'content-type': 'application/json' });
        return res.end(
          JSON.stringify({
            type: 'ErrorResponse',
            error: { id: 'x', status: 422, code: 'SUBSCRIPTION_TOKEN_INVALID', detail: 'The provided subscription token is invalid.' },
          }),
        );
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          type: 'search',
          query: { original: u.searchParams.get('q') },
          web: {
            type: 'search',
            results: [
              {
                title: 'DSCOVR: Deep Space Climate Observatory',
                url: 'https://www.nesdis.noaa.gov/dscovr',
                description: 'DSCOVR orbits the Sun–Earth L1 Lagrange point, about 1.5 million km from Earth.',
                profile: { name: 'NOAA' },
                meta_url: { hostname: 'www.nesdis.noaa.gov' },
              },
            ],
          },
        }),
      );
    });
    await new Promise<void>((r) => brave.listen(0, '127.0.0.1', r));
    braveUrl = `http://127.0.0.1:${(brave.address() as AddressInfo).port}`;
    await config().update('endpoint', model.url, vscode.ConfigurationTarget.Workspace);
    await config().update('boxFormat', 'rel-1000', vscode.ConfigurationTarget.Workspace);
    await config().update('search.text', 'brave', vscode.ConfigurationTarget.Workspace);
    await config().update('search.providerUrls', { brave: braveUrl }, vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    for (const s of touched) await config().update(s, undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('gog.setSearchKey', { service: 'brave', key: '' });
    await model?.close();
    await new Promise((r) => brave?.close(r));
  });

  it('asks Brave with the key set through Set Search API Key…, records what it found, and writes the key nowhere', async () => {
    const image = vscode.Uri.file(path.join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, 'photos', 'rocket.jpg'));
    // Without the key the run does not start: it says which key to set.
    const refused = await vscode.commands.executeCommand<QueryOutcome | undefined>('gog.askAboutImage', image, { question: ROCKET_QUESTION });
    assert.equal(refused, undefined);
    assert.equal(seen.length, 0, 'Brave was not asked without a key');

    assert.equal(await vscode.commands.executeCommand('gog.setSearchKey', { service: 'brave', key: BRAVE_KEY }), true);
    const outcome = await vscode.commands.executeCommand<QueryOutcome>('gog.askAboutImage', image, { question: ROCKET_QUESTION });
    assert.equal(outcome?.stopReason, 'answered', outcome?.error);
    assert.equal(outcome.answer, ROCKET_ANSWER);
    assert.deepEqual(seen, [{ path: '/res/v1/web/search', q: 'DSCOVR orbit Lagrange point', token: BRAVE_KEY }]);
    const t = await readTrajectory(outcome.trajectory);
    const text = t.events.find((e): e is ObservationEvent => e.type === 'observation' && e.tool === 'text_search')!;
    assert.equal(text.results[0]?.title, 'DSCOVR: Deep Space Climate Observatory');
    assert.equal(text.results[0]?.source, 'NOAA');
    assert.match(t.header!.search.text, /^brave@http:\/\/127\.0\.0\.1:\d+/);

    const roots = [vscode.workspace.workspaceFolders![0]!.uri.fsPath, process.env.GOG_TEST_PROFILE_DIR].filter((d): d is string => !!d);
    for (const root of roots)
      for (const file of await filesUnder(root)) assert.ok(!(await fs.readFile(file)).includes(BRAVE_KEY), `the key was written to ${file}`);
    assert.ok(!JSON.stringify(config()).includes(BRAVE_KEY), 'not in the settings');
  });
});

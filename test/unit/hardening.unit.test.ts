// Tried as an adversary would, on the built `gog` command: files that are not what they
// claim (devices, pipes, links out of a run folder, huge records), servers that echo
// secrets, signals at any moment, output folders that are taken. Every case ends at once
// with one line, and nothing is lost or overwritten.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { readTrajectory } from '../../src/core/trajectoryFile';
import { ModelClient } from '../../src/model/client';
import { acceptedHost, recordingFromTrajectory, startReplayServer, type ReplayServer } from '../../src/model/replayServer';
import { gog, oneErrorLine } from '../helpers/cli';
import { DEMO, photo, tempDir } from '../helpers/fixtures';
import { startWireServer } from '../helpers/wireServer';
import { buildOnce } from '../helpers/build';

const ROCKET_Q = 'From which Lagrange point does the spacecraft launched by this rocket observe the Earth?';
const isRoot = process.getuid?.() === 0;

/** POSTs `bytes` of spaces in 64 KB chunks with no content-length: a server must stop it by counting. */
function sendChunked(url: string, bytes: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(65536, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < bytes && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

function getText(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      })
      .on('error', reject);
  });
}

/** A request to `base`'s server with the Host header given (empty: none), as a browser on a rebound name would send it. */
function rawRequest(base: string, method: string, route: string, host: string, body?: string): Promise<{ status: number; text: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path: route, setHost: false, headers: { ...(host ? { host } : {}), 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('hardening: the gog command under adversarial input', function () {
  this.timeout(60_000);
  const tmp = tempDir('gog-hardening-');
  let server: ReplayServer;
  let ask: (...extra: string[]) => string[];

  before(async () => {
    buildOnce();
    const rec = recordingFromTrajectory(await readTrajectory(path.join(DEMO, 'recorded', '2-rocket-dscovr.trajectory.jsonl')));
    server = await startReplayServer([rec]);
    ask = (...extra) => ['ask', '--image', photo('rocket.jpg'), '--question', ROCKET_Q, '--endpoint', server.url, '--box-format', 'rel-1000', ...extra];
  });
  after(async () => {
    await server.close();
    tmp.cleanup();
  });

  describe('the image: regular files only, and a bounded read', () => {
    it('refuses a device (/dev/zero) at once instead of reading it forever', async () => {
      const run = await gog(ask('--image', '/dev/zero', '--out', path.join(tmp.dir, 'zero')));
      assert.equal(run.code, 2, run.stderr);
      oneErrorLine(run, /^gog: image path is a device, not an image file: \/dev\/zero$/);
      assert.ok(run.ms < 10_000);
      assert.ok(!existsSync(path.join(tmp.dir, 'zero')));
    });

    it('refuses a named pipe at once instead of waiting on it', async () => {
      const fifo = path.join(tmp.dir, 'pipe.jpg');
      execFileSync('mkfifo', [fifo]);
      const run = await gog(ask('--image', fifo, '--out', path.join(tmp.dir, 'fifo')));
      assert.equal(run.code, 2, run.stderr);
      oneErrorLine(run, /^gog: image path is a named pipe, not an image file: .*pipe\.jpg$/);
    });

    it('refuses a file over the size limit, and says which setting raises it', async () => {
      const big = path.join(tmp.dir, 'big.jpg');
      await fs.writeFile(big, Buffer.alloc(3 * 1024 * 1024, 1));
      const run = await gog(ask('--image', big, '--max-image-mb', '2', '--out', path.join(tmp.dir, 'big')));
      assert.equal(run.code, 2, run.stderr);
      oneErrorLine(run, /^gog: .*big\.jpg is 3 MB, over the 2 MB limit for an image file \(setting gog\.maxImageMB, CLI --max-image-mb\)$/);
    });
  });

  describe('option ranges', () => {
    const cases: [string[], RegExp][] = [
      [['--timeout', '3000000'], /^gog: the timeout must be from 1 to 86400 seconds; got 3000000$/],
      [['--timeout', '0'], /^gog: the timeout must be from 1 to 86400 seconds/],
      [['--retries=-1'], /^gog: retries must be a whole number from 0 to 10; got -1$/],
      [['--max-reply-chars', '5'], /^gog: max reply characters must be a whole number from 1000 to 10000000; got 5$/],
      [['--max-image-mb', '0'], /^gog: the image size limit must be a whole number from 1 to 4096 MB; got 0$/],
    ];
    for (const [extra, pattern] of cases) {
      it(extra.join(' '), async () => {
        const before = server.stats.chatRequests;
        const run = await gog(ask(...extra, '--out', path.join(tmp.dir, `range-${extra.join('')}`)));
        assert.equal(run.code, 2, run.stderr);
        oneErrorLine(run, pattern);
        assert.equal(server.stats.chatRequests, before, 'the endpoint was not asked');
      });
    }
  });

  describe('--out: never written over, checked before the endpoint is asked', () => {
    it('refuses a folder that holds other files, and leaves them as they were', async () => {
      const out = path.join(tmp.dir, 'photos');
      await fs.mkdir(path.join(out, 'images'), { recursive: true });
      await fs.writeFile(path.join(out, 'image.jpg'), 'my holiday photo');
      await fs.writeFile(path.join(out, 'images', 'sent.jpg'), 'another');
      const requests = server.stats.chatRequests;
      const run = await gog(ask('--out', out));
      assert.equal(run.code, 2, run.stderr);
      oneErrorLine(run, /^gog: .*photos is not empty \(image\.jpg, images\); a run goes into a new or empty folder, never over other files$/);
      assert.equal(await fs.readFile(path.join(out, 'image.jpg'), 'utf8'), 'my holiday photo');
      assert.equal(await fs.readFile(path.join(out, 'images', 'sent.jpg'), 'utf8'), 'another');
      assert.equal(server.stats.chatRequests, requests);
    });

    it('refuses a file, and a path under a file, with one line', async () => {
      const file = path.join(tmp.dir, 'a-file');
      await fs.writeFile(file, 'x');
      const asFile = await gog(ask('--out', file));
      assert.equal(asFile.code, 2);
      oneErrorLine(asFile, /^gog: .*a-file is a file, not a folder; give a new or empty folder for the run$/);
      const under = await gog(ask('--out', path.join(file, 'run')));
      assert.equal(under.code, 2);
      oneErrorLine(under, /^gog: cannot create .*a-file\/run: .*a-file is a file, not a folder$/);
    });

    it('refuses a folder it cannot write, before asking the endpoint', async function () {
      if (isRoot) this.skip(); // root writes anywhere: the check cannot be seen failing
      const locked = path.join(tmp.dir, 'locked');
      await fs.mkdir(locked, { mode: 0o500 });
      const run = await gog(ask('--out', path.join(locked, 'run')));
      assert.equal(run.code, 2);
      oneErrorLine(run, /is not writable/);
    });

    it('an empty folder is fine; of two runs racing for one folder, one runs and the other exits 2 having written nothing', async () => {
      const empty = path.join(tmp.dir, 'empty');
      await fs.mkdir(empty);
      assert.equal((await gog(ask('--out', empty))).code, 0);
      const contested = path.join(tmp.dir, 'contested');
      const runs = await Promise.all([gog(ask('--out', contested, '--json')), gog(ask('--out', contested, '--json'))]);
      const codes = runs.map((r) => r.code).sort();
      assert.deepEqual(codes, [0, 2], runs.map((r) => r.stderr).join('\n'));
      const loser = runs.find((r) => r.code === 2)!;
      assert.match(JSON.parse(loser.stdout).error, /another run took .*contested first|already holds a run|is not empty/);
      const t = await readTrajectory(path.join(contested, 'trajectory.jsonl'));
      assert.deepEqual(t.problems, []);
      assert.equal(t.events.filter((e) => e.type === 'final').length, 1, 'one run in the folder');
    });
  });

  describe('signals end every command promptly, with the trajectory so far on disk', () => {
    it('SIGTERM while the model thinks: the run stops at once, recorded as cancelled', async () => {
      const rec = recordingFromTrajectory(await readTrajectory(path.join(DEMO, 'recorded', '2-rocket-dscovr.trajectory.jsonl')));
      const slow = await startReplayServer([rec], { latencyMs: 30_000 });
      const out = path.join(tmp.dir, 'sigterm');
      let signalled = 0;
      try {
        const run = await gog(
          ['ask', '--image', photo('rocket.jpg'), '--question', ROCKET_Q, '--endpoint', slow.url, '--box-format', 'rel-1000', '--out', out],
          {
            started: (child, output) => {
              const timer = setInterval(() => {
                if (/trajectory/.test(output.stdout())) {
                  clearInterval(timer);
                  signalled = Date.now();
                  child.kill('SIGTERM');
                }
              }, 20);
              child.on('close', () => clearInterval(timer));
            },
          },
        );
        assert.ok(signalled > 0, 'the run started');
        assert.ok(Date.now() - signalled < 3000, `stopped ${Date.now() - signalled} ms after SIGTERM`);
        assert.equal(run.code, 1, run.stderr);
        const t = await readTrajectory(path.join(out, 'trajectory.jsonl'));
        assert.equal((t.events.at(-1) as { stopReason?: string }).stopReason, 'cancelled');
      } finally {
        await slow.close();
      }
    });

    it('SIGTERM while gog replay serves: it stops', async () => {
      const file = path.join(DEMO, 'recorded', '2-rocket-dscovr.trajectory.jsonl');
      let signalled = 0;
      const run = await gog(['replay', file], {
        started: (child, output) => {
          const timer = setInterval(() => {
            if (/stop with Ctrl\+C/.test(output.stdout())) {
              clearInterval(timer);
              signalled = Date.now();
              child.kill('SIGTERM');
            }
          }, 20);
        },
      });
      assert.ok(signalled > 0);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(Date.now() - signalled < 3000);
    });
  });

  describe('secrets in the endpoint URL', () => {
    it('a token in the query string goes with every request, and into no file and no output', async () => {
      const token = 'qs-Secret-Token-9f8e7d';
      const wire = await startWireServer((req, res) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `upstream failed for ${req.url}`, type: 'server_error' } }));
      });
      const out = path.join(tmp.dir, 'token');
      try {
        const run = await gog([
          'ask',
          '--image',
          photo('rocket.jpg'),
          '--question',
          ROCKET_Q,
          '--endpoint',
          `${wire.url}?token=${token}`,
          '--retries',
          '0',
          '--out',
          out,
          '--json',
        ]);
        assert.equal(run.code, 1, run.stderr);
        assert.ok(
          wire.requests.some((r) => r.url === `/v1/chat/completions?token=${token}`),
          JSON.stringify(wire.requests.map((r) => r.url)),
        );
        assert.match(run.stderr, /upstream failed for \/v1\/chat\/completions\?token=\[redacted\]/);
        assert.ok(!run.stdout.includes(token) && !run.stderr.includes(token));
        for (const name of await fs.readdir(out)) {
          const file = path.join(out, name);
          if ((await fs.stat(file)).isFile()) assert.ok(!(await fs.readFile(file, 'utf8')).includes(token), `${name} holds the token`);
        }
        const t = await readTrajectory(path.join(out, 'trajectory.jsonl'));
        assert.equal(t.header!.model.endpoint, wire.url);
      } finally {
        await wire.close();
      }
    });
  });

  describe('run folders from someone else: gog report and gog replay', () => {
    let runDir: string;
    before(async () => {
      runDir = path.join(tmp.dir, 'shared-run');
      const run = await gog(['demo', '--out', path.join(tmp.dir, 'demo')]);
      assert.equal(run.code, 0, run.stderr);
      await fs.cp(path.join(tmp.dir, 'demo', '1-astronaut-patch'), runDir, { recursive: true });
    });

    it('gog report never inlines a file a link in the run folder points outside to', async () => {
      const secret = path.join(tmp.dir, 'secret.png');
      await fs.copyFile(photo('coffee.png'), secret); // a real image: refused for where it is, not for what it is
      const crop = path.join(runDir, 'images', 's1-crop.jpg');
      await fs.rm(crop);
      await fs.symlink(secret, crop);
      await fs.symlink('/etc/passwd', path.join(runDir, 'images', 'passwd.jpg'));
      const run = await gog(['report', path.join(runDir, 'trajectory.jsonl')]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /^gog: warning: images\/s1-crop\.jpg links to a file outside the run folder; not shown \(the report shows it as missing\)$/m);
      const html = await fs.readFile(path.join(runDir, 'report.html'), 'utf8');
      assert.ok(!html.includes((await fs.readFile(secret)).toString('base64').slice(0, 400)), 'the outside file is not in the report');
      assert.match(run.stdout, /report: .*report\.html \(\d+ KB, \d+ images inlined\)/);
    });

    it('gog report refuses a trajectory too large for one HTML file, with one line', async () => {
      const huge = path.join(tmp.dir, 'huge', 'trajectory.jsonl');
      await fs.mkdir(path.dirname(huge));
      await fs.copyFile(path.join(runDir, 'trajectory.jsonl'), huge);
      await fs.truncate(huge, 300 * 1024 * 1024); // sparse: no time or disk spent
      const run = await gog(['report', huge]);
      assert.equal(run.code, 1);
      oneErrorLine(run, /^gog: .*trajectory\.jsonl is 300 MB, over the 256 MB this can read: a report puts the whole run into one HTML file/);
    });

    it('gog replay streams a trajectory with a line too long to keep: that line is named and skipped, the rest served', async () => {
      const file = path.join(tmp.dir, 'long-line.trajectory.jsonl');
      const lines = (await fs.readFile(path.join(DEMO, 'recorded', '2-rocket-dscovr.trajectory.jsonl'), 'utf8')).trimEnd().split('\n');
      const handle = await fs.open(file, 'w');
      await handle.write(lines[0] + '\n');
      await handle.write(`{"type":"notice","step":1,"t":"x","message":"${'a'.repeat(70 * 1024 * 1024)}"}\n`);
      for (const l of lines.slice(1)) await handle.write(l + '\n');
      await handle.close();
      let url = '';
      const run = await gog(['replay', file], {
        started: (child, output) => {
          const timer = setInterval(() => {
            const m = /at (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(output.stdout());
            if (m && /stop with/.test(output.stdout())) {
              clearInterval(timer);
              url = m[1]!;
              child.kill('SIGINT');
            }
          }, 20);
        },
      });
      assert.equal(run.code, 0, run.stderr);
      assert.ok(url);
      assert.match(run.stderr, /^gog: warning: .*long-line\.trajectory\.jsonl:2: line of 70 MB, longer than the 64 MB a line may have; skipped \(skipped\)$/m);
    });
  });

  describe('gog replay as a server: bounded requests, clear refusals', () => {
    let replay: ReplayServer;
    before(async () => {
      const rec = recordingFromTrajectory(await readTrajectory(path.join(DEMO, 'recorded', '2-rocket-dscovr.trajectory.jsonl')));
      replay = await startReplayServer([rec], { maxBodyBytes: 1024 * 1024 });
    });
    after(() => replay.close());
    const chatBody = JSON.stringify({ model: 'gog-demo-recorded', messages: [{ role: 'user', content: ROCKET_Q }] });

    function post(body: string): Promise<{ status: number; text: string }> {
      return new Promise((resolve, reject) => {
        const req = http.request(`${replay.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('error', reject);
        req.end(body);
      });
    }

    it('answers only requests addressed to this machine: another Host (DNS rebinding) gets 421 and nothing recorded', async () => {
      const port = new URL(replay.url).port;
      const refused = [
        'evil.example',
        `evil.example:${port}`,
        '127.0.0.1.evil.example',
        `127.0.0.1.evil.example:${port}`,
        'localhost.evil.example',
        `localhost.evil.example:${port}`,
        `localhost@evil.example:${port}`,
        `evil.example@localhost:${port}`,
        `[::1].evil.example:${port}`,
        `127.0.0.1:${port}/evil`,
        `10.0.0.1:${port}`,
        `[::ffff:a00:1]:${port}`,
        'localhost.',
      ];
      for (const host of refused) {
        for (const [method, route] of [
          ['GET', '/v1/models'],
          ['POST', '/v1/chat/completions'],
        ] as const) {
          const { status, text } = await rawRequest(replay.url, method, route, host, method === 'POST' ? chatBody : undefined);
          assert.equal(status, 421, `${host} ${route}: ${status} ${text}`);
          assert.ok(!text.includes('gog-demo-recorded') && !text.includes('DSCOVR'), `${host}: ${text}`);
        }
      }
      for (const host of [`127.0.0.1:${port}`, '127.0.0.1', `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, `[::ffff:127.0.0.1]:${port}`]) {
        const { status, text } = await rawRequest(replay.url, 'GET', '/v1/models', host);
        assert.equal(status, 200, `${host}: ${text}`);
        assert.match(text, /gog-demo-recorded/);
      }
      // Started on another interface (gog replay --host): that address is this machine too, a name still is not.
      assert.ok(acceptedHost('192.168.1.5:8123', '192.168.1.5') && acceptedHost('192.168.1.5', '::ffff:192.168.1.5'));
      assert.ok(!acceptedHost('192.168.1.6:8123', '192.168.1.5') && !acceptedHost('evil.example:8123', '192.168.1.5') && !acceptedHost(undefined, '127.0.0.1'));
      // The usual client (Host 127.0.0.1:port) is served as before.
      const reply = await new ModelClient({
        endpoint: replay.url,
        model: 'gog-demo-recorded',
        temperature: 0,
        maxTokens: 256,
        timeoutMs: 5000,
        maxRetries: 0,
        stream: true,
        maxReplyChars: 100_000,
      }).complete({ messages: [{ role: 'user', content: ROCKET_Q }] }, { signal: new AbortController().signal });
      assert.ok(reply.text.length > 0);
    });

    it('answers 413 to a body over the limit, without reading it all', async () => {
      const { status, text } = await sendChunked(`${replay.url}/chat/completions`, 8 * 1024 * 1024).catch(() => ({ status: -1, text: 'connection reset' }));
      assert.ok(status === 413 || status === -1, `${status} ${text}`);
      if (status === 413) assert.match(text, /request body larger than 1 MB/);
    });

    it('answers 400, never a 500 with a JavaScript error, to bodies that are not chat requests', async () => {
      for (const [body, pattern] of [
        ['null', /must be a JSON object/],
        ['[1,2]', /must be a JSON object/],
        ['{"model": 5, "messages": []}', /`model` must be a string/],
        ['{"model": "gog-demo-recorded", "messages": [null]}', /messages\[0\] must be an object/],
        ['{"model": "gog-demo-recorded", "messages": "hi"}', /`messages` must be a non-empty array/],
        ['not json', /not valid JSON/],
      ] as const) {
        const { status, text } = await post(body);
        assert.equal(status, 400, `${body}: ${text}`);
        assert.match(text, pattern);
        assert.ok(!/TypeError|Cannot read/.test(text));
      }
    });

    it('the gog replay command survives an 80 MB chunked body (413 or a closed connection) and goes on serving', async () => {
      const file = path.join(DEMO, 'recorded', '2-rocket-dscovr.trajectory.jsonl');
      let base = '';
      let outcome: { status: number; text: string } | undefined;
      let after: { status: number; text: string } | undefined;
      const run = await gog(['replay', file], {
        started: (child, output) => {
          const timer = setInterval(() => {
            const m = /at (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(output.stdout());
            if (!m || !/stop with/.test(output.stdout())) return;
            clearInterval(timer);
            base = m[1]!;
            void (async () => {
              outcome = await sendChunked(`${base}/chat/completions`, 80 * 1024 * 1024).catch(() => ({ status: -1, text: 'connection reset' }));
              after = await getText(`${base}/models`);
              child.kill('SIGINT');
            })();
          }, 20);
        },
      });
      assert.equal(run.code, 0, run.stderr);
      assert.ok(outcome && (outcome.status === 413 || outcome.status === -1), JSON.stringify(outcome));
      assert.equal(after?.status, 200, 'still serving');
      assert.ok(!/at \S+\.js:\d+/.test(run.stderr), `no stack trace: ${run.stderr}`);
    });
  });
});

// A command whose reader goes away (`gog demo | head -3`, `gog find … | head`): Node ignores
// SIGPIPE and reports EPIPE on stdout instead, which unheard ended the process with a stack
// trace. The command stops as a shell's tools do on SIGPIPE: quietly, with 141, and what it
// was writing is whole or absent, as after Ctrl+C.
import { strict as assert } from 'node:assert';
import { type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { gog } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';

describe('a command whose output is closed under it', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-closed-output-');
  after(() => tmp.cleanup());

  it('gog demo | head: stops quietly with 141, its --out whole or absent', async () => {
    const out = path.join(tmp.dir, 'demo');
    const run = await gog(['demo', '--out', out], {
      // The first lines read, the reader leaves: every later line meets a closed pipe.
      started: (child: ChildProcess) => child.stdout!.once('data', () => child.stdout!.destroy()),
    });
    assert.equal(run.code, 141, run.stderr);
    assert.doesNotMatch(run.stderr, /EPIPE|Error|at /);
    // Nothing half made beside it.
    assert.deepEqual(
      (await fs.readdir(tmp.dir)).filter((n) => n.startsWith('.demo')),
      [],
    );
    if (existsSync(out)) assert.ok((await fs.readdir(out)).length > 0);
  });
});

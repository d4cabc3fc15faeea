// What the Runs view's Export Table… and Open Report do, below VS Code (src/extension/
// tableCommands.ts is the dialog and the browser around these): the listed rows written in
// the table's order, as CSV or Parquet by the file's extension, never over one of the run's
// own files (by real path, also through a link to the run folder), an earlier export
// replaced whole; the run's HTML report written to its report.html, or elsewhere when the
// run folder cannot take it. Real run folders, real files, the built webview bundle.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Redactor } from '../../src/core/redact';
import { parquetRecords } from '../../src/data/datasets/parquetRecords';
import { loadRunRows, type RunRows } from '../../src/data/reviewRows';
import { tableRows } from '../../src/data/runTable';
import { checkTableTarget, TableRefused, tableFormatOf, writeTable } from '../../src/data/tableExport';
import { writeRunReportFile } from '../../src/run/runReportFile';
import { syntheticResults, writeBenchRun } from '../helpers/benchRuns';
import { ROOT, tempDir } from '../helpers/fixtures';
import { buildOnce } from '../helpers/build';

describe('Export Table… and Open Report, below VS Code', function () {
  this.timeout(60_000);
  const tmp = tempDir('gog-export-table-');
  const run = path.join(tmp.dir, 'run');
  let rows: RunRows;

  before(async () => {
    await writeBenchRun(run, syntheticResults(40, { judged: true }));
    rows = await loadRunRows(run);
    assert.equal(rows.rows.length, 40);
  });
  after(() => tmp.cleanup());

  it('writes the rows the view lists, in its order (a filter and a sort), as Parquet or CSV by the extension', async () => {
    // What the view would list: the failures, most turns first.
    const keys = rows.rows
      .filter((r) => r.cause !== null)
      .sort((a, b) => b.turns - a.turns || a.index - b.index)
      .map((r) => r.key);
    assert.ok(keys.length > 5 && keys.length < 40);
    const parquet = path.join(tmp.dir, 'failures.parquet');
    assert.equal(tableFormatOf(parquet), 'parquet');
    await writeTable(run, parquet, 'parquet', tableRows(rows.rows, rows.trajectories, keys));
    const read: Record<string, unknown>[] = [];
    for await (const item of parquetRecords(parquet, (await fs.stat(parquet)).size)) if ('value' in item) read.push(item.value as Record<string, unknown>);
    assert.deepEqual(
      read.map((r) => r.id),
      keys.map((k) => rows.rows[k]!.id),
    );
    assert.deepEqual(
      read.map((r) => r.trajectory),
      keys.map((k) => rows.trajectories[k]),
    );
    assert.ok(read.every((r) => r.right === false || r.cause === 'judge_disagrees'));

    const csv = path.join(tmp.dir, 'FAILURES.CSV');
    assert.equal(tableFormatOf(csv), 'csv');
    assert.equal(tableFormatOf(path.join(tmp.dir, 'failures.xlsx')), undefined);
    await writeTable(run, csv, 'csv', tableRows(rows.rows, rows.trajectories, keys));
    const lines = (await fs.readFile(csv, 'utf8')).split('\r\n');
    assert.equal(lines.length, keys.length + 2, 'header, the rows, and the final CRLF');
    assert.deepEqual(
      lines.slice(1, -1).map((l) => l.split(',')[0]),
      keys.map((k) => rows.rows[k]!.id),
    );
  });

  it('without keys writes every row in dataset order; a key the run does not hold is an error', () => {
    const all = tableRows(rows.rows, rows.trajectories);
    assert.deepEqual(
      all.map((r) => r[1]),
      rows.rows.map((r) => r.index).sort((a, b) => a - b),
    );
    assert.throws(() => tableRows(rows.rows, rows.trajectories, [0, 40]), /there is no sample 40 in this run/);
  });

  it("never replaces one of the run's own files (by real path, through a link to the run too); an earlier export in the run folder is replaced whole", async () => {
    const table = tableRows(rows.rows, rows.trajectories);
    const link = path.join(tmp.dir, 'run-link');
    await fs.symlink(run, link);
    await fs.symlink(path.join(run, 'results.jsonl'), path.join(run, 'results.csv'));
    const own = [
      path.join(run, 'results.jsonl'),
      path.join(run, 'summary.json'),
      path.join(run, rows.trajectories[0]!),
      path.join(link, 'results.jsonl'),
      path.join(run, 'results.csv'),
    ];
    const before = await Promise.all(own.map((f) => fs.readFile(f)));
    for (const f of own) {
      await assert.rejects(writeTable(run, f, 'csv', table), (e: unknown) => e instanceof TableRefused && /one of the run's own files/.test(e.message), f);
      await assert.rejects(writeTable(link, f, 'csv', table), TableRefused, `${f} (the run named through its link)`);
    }
    assert.deepEqual(await Promise.all(own.map((f) => fs.readFile(f))), before);
    assert.ok((await fs.lstat(path.join(run, 'results.csv'))).isSymbolicLink());
    await assert.rejects(checkTableTarget(run, run), /is a folder/);

    const inRun = path.join(run, 'table.csv');
    await writeTable(run, inRun, 'csv', table.slice(0, 3));
    await writeTable(run, inRun, 'csv', table.slice(0, 5));
    assert.equal((await fs.readFile(inRun, 'utf8')).split('\r\n').length, 7);
    assert.deepEqual(
      (await fs.readdir(run)).filter((f) => f.startsWith('.')),
      [],
      'no temporary file left',
    );
  });

  it('Open Report writes the run’s report.html as gog report does, and a temporary file when the run folder cannot take it', async () => {
    buildOnce();
    const webview = path.join(ROOT, 'dist', 'webview');
    const temp = path.join(tmp.dir, 'temp');
    await fs.mkdir(temp);
    const first = await writeRunReportFile(run, webview, Redactor.none, temp);
    assert.equal(first.file, path.join(run, 'report.html'));
    assert.equal(first.samples, 40);
    assert.equal(first.elsewhere, undefined);
    assert.match(await fs.readFile(first.file, 'utf8'), /<\/html>\s*$/);

    // report.html a folder: not written over, the report goes to the temporary folder.
    const other = path.join(tmp.dir, 'run2');
    await writeBenchRun(other, syntheticResults(5), { trajectories: false });
    await fs.mkdir(path.join(other, 'report.html'));
    const moved = await writeRunReportFile(other, webview, Redactor.none, temp);
    assert.ok(moved.file.startsWith(temp + path.sep), moved.file);
    assert.match(moved.elsewhere ?? '', /report\.html in the run folder is not a file/);
    assert.match(await fs.readFile(moved.file, 'utf8'), /<\/html>\s*$/);
    assert.deepEqual(await fs.readdir(path.join(other, 'report.html')), []);
  });
});

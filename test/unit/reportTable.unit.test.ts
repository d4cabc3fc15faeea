// `gog report RUN --csv FILE` and `--parquet FILE`: a benchmark run made by the built `gog`
// against the replay server, over a dataset (and model answers) written to hurt a table:
// commas, double quotes, CR/LF inside fields, non-ASCII text, and cells a spreadsheet would
// run as formulas (=HYPERLINK(…), @SUM(…), +…, -…). Each file is read back by a real reader
// and held to results.jsonl, cell by cell: the CSV by an RFC 4180 parser here and, when
// /usr/bin/python3 has pandas, by pandas.read_csv; the Parquet by the repo's own Parquet
// reader (the one `gog bench` reads datasets with) and its schema by hyparquet's metadata.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parquetMetadata } from 'hyparquet';
import sharp from 'sharp';
import { parquetRecords } from '../../src/data/datasets/parquetRecords';
import { tableCsv } from '../../src/data/tableCsv';
import { isRight, resultSchema, type SampleResult } from '../../src/data/results';
import { startReplayServer } from '../../src/model/replayServer';
import { gog, oneErrorLine } from '../helpers/cli';
import { photo, tempDir } from '../helpers/fixtures';
import { recording } from '../helpers/recordings';
import { buildOnce } from '../helpers/build';

/** The samples: what the dataset says, and what the scripted model answers. */
const SAMPLES = [
  { id: 'q-plain', question: 'Which spacecraft did this rocket launch? [#0]', gold: ['DSCOVR'], category: 'space', answer: 'DSCOVR' },
  {
    id: '=cmd|"/C calc"!A0',
    question: 'Which rocket, "Falcon 9" or Atlas V, is this? [#1]',
    gold: ['Falcon 9', 'Falcon, the ninth'],
    category: '+sum(1,2)',
    answer: '=HYPERLINK("http://evil.example/?x=1","click, here")',
  },
  {
    id: 'q-at',
    question: 'Zürich — 東京: which city, with "quotes"? [#2]',
    gold: ['-2+3', '@SUM(A1:A2)'],
    category: '-dash',
    answer: '@SUM(A1:A2)\r\nsecond line, "quoted"',
  },
  { id: 'q-tab', question: 'How cold is it there? [#3]', gold: ['Atlas'], category: 'space', answer: '-1 degrees,\nsaid "the probe"' },
] as const;

const COLUMNS = [
  'id',
  'index',
  'rollout',
  'benchmark',
  'category',
  'question',
  'answer',
  'gold',
  'right',
  'official_score',
  'official_metric',
  'exact_match',
  'f1',
  'judge',
  'cause',
  'stop_reason',
  'turns',
  'glances',
  'gazes',
  'text_searches',
  'prompt_tokens',
  'completion_tokens',
  'time_ms',
  'trajectory',
];

type Cell = string | number | boolean | null;

/** What the table must say of a result, worked out from results.jsonl here, column by column. */
function expectedRow(r: SampleResult): Record<string, Cell> {
  return {
    id: r.id,
    index: r.index,
    rollout: r.rollout,
    benchmark: r.benchmark,
    category: r.category || null,
    question: r.question,
    answer: r.answer,
    gold: r.gold.join(' | '),
    right: isRight(r),
    official_score: r.scores.official ?? null,
    official_metric: r.scores.officialMetric ?? null,
    exact_match: r.scores.exactMatch,
    f1: r.scores.f1,
    judge: r.scores.judge ? r.scores.judge.correct : null,
    cause: r.cause ?? null,
    stop_reason: r.stopReason,
    turns: r.turns,
    glances: r.searches.glance,
    gazes: r.searches.gaze,
    text_searches: r.searches.text,
    prompt_tokens: r.tokens.prompt,
    completion_tokens: r.tokens.completion,
    time_ms: r.ms,
    trajectory: r.trajectory,
  };
}

const TEXT_FROM_OUTSIDE = new Set(['id', 'benchmark', 'category', 'question', 'answer', 'gold', 'trajectory']);

/** A CSV cell as the export must write it: null empty, text from outside with a ' before a formula's first character. */
function csvText(column: string, v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'string') return TEXT_FROM_OUTSIDE.has(column) && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return String(v);
}

/** RFC 4180, strictly: CRLF between records, a quoted field's quotes doubled, nothing after a closing quote but a comma or a record's end. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  for (;;) {
    let value = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        assert.ok(q >= 0, 'a quoted field is closed');
        value += text.slice(i, q);
        if (text[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    } else {
      const m = /[,\r\n"]/g;
      m.lastIndex = i;
      const hit = m.exec(text);
      const end = hit ? hit.index : text.length;
      assert.notEqual(text[end], '"', `a quote inside an unquoted field at ${end}`);
      value = text.slice(i, end);
      i = end;
    }
    record.push(value);
    if (text[i] === ',') {
      i++;
      continue;
    }
    assert.equal(text.slice(i, i + 2), '\r\n', `a record ends in CRLF at ${i}`);
    records.push(record);
    record = [];
    i += 2;
    if (i === text.length) return records;
  }
}

function pandasAvailable(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', 'import pandas'], { stdio: 'ignore' }).status === 0;
}

describe('gog report --csv and --parquet: the run table, read back by real readers', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-table-');
  const run = path.join(tmp.dir, 'run');
  let results: SampleResult[];

  before(async () => {
    buildOnce();
    const data = path.join(tmp.dir, 'data');
    await fs.mkdir(path.join(data, 'pics'), { recursive: true });
    await fs.writeFile(path.join(data, 'pics', 'rocket.jpg'), await sharp(photo('rocket.jpg')).resize({ width: 256 }).jpeg().toBuffer());
    await fs.writeFile(
      path.join(data, 'hostile.jsonl'),
      SAMPLES.map((s) =>
        JSON.stringify({ qid: s.id, ask: s.question, truth: { main: s.gold[0], more: s.gold.slice(1) }, pic: 'pics/rocket.jpg', topic: s.category }),
      ).join('\n') + '\n',
    );
    const replay = await startReplayServer(SAMPLES.map((s, i) => recording(`[#${i}]`, [`<think>Sure.</think><answer>${s.answer}</answer>`])));
    try {
      const bench = await gog(
        [
          ...['bench', path.join(data, 'hostile.jsonl'), '--endpoint', replay.url, '--out', run, '--cache', path.join(tmp.dir, 'cache')],
          ...['--map', 'question=ask,answer=truth.main|truth.more,image=pic,id=qid,category=topic'],
        ],
        { cwd: tmp.dir },
      );
      assert.equal(bench.code, 0, bench.stderr);
    } finally {
      await replay.close();
    }
    const lines = (await fs.readFile(path.join(run, 'results.jsonl'), 'utf8')).trim().split('\n');
    results = lines.map((l) => resultSchema.parse(JSON.parse(l))).sort((a, b) => a.index - b.index);
    assert.equal(results.length, SAMPLES.length);
  });
  after(() => tmp.cleanup());

  it('holds the hostile strings the test is about (commas, quotes, CR/LF, =HYPERLINK, +, -, @) in results.jsonl', () => {
    const texts = results.flatMap((r) => [r.id, r.question, r.answer ?? '', r.category ?? '', ...r.gold]);
    for (const start of ['=HYPERLINK(', '+', '-', '@', '=cmd'])
      assert.ok(
        texts.some((t) => t.startsWith(start)),
        `a cell starting with ${JSON.stringify(start)}`,
      );
    assert.ok(texts.some((t) => t.includes('\r\n')) && texts.some((t) => /[^\r]\n/.test(t)) && texts.some((t) => t.includes('"')));
  });

  it('writes the CSV per RFC 4180: header, one CRLF record per sample in dataset order, each cell as results.jsonl has it, formulas guarded', async () => {
    const file = path.join(tmp.dir, 'table.csv');
    const report = await gog(['report', run, '--csv', file], { cwd: tmp.dir });
    assert.equal(report.code, 0, report.stderr);
    assert.equal(report.stderr, '');
    assert.match(report.stdout, /^table: table\.csv \(CSV, 4 samples\)\n$/);
    // Only the table: the run's report.html is not made by --csv alone.
    await assert.rejects(fs.stat(path.join(run, 'report.html')));
    const bytes = await fs.readFile(file);
    assert.notEqual(bytes[0], 0xef, 'no byte-order mark');
    const text = bytes.toString('utf8');
    assert.ok(text.includes('Zürich — 東京'), 'UTF-8 text');
    // The quoting itself, as bytes: an answer with a comma and quotes is quoted, quotes doubled, and guarded.
    assert.ok(text.includes(`"'=HYPERLINK(""http://evil.example/?x=1"",""click, here"")"`), text);
    assert.ok(text.includes('"Which rocket, ""Falcon 9"" or Atlas V, is this? [#1]"'));
    assert.ok(text.includes(`"'@SUM(A1:A2)\r\nsecond line, ""quoted"""`), 'CRLF inside a quoted field');
    const records = parseCsv(text);
    assert.deepEqual(records[0], COLUMNS);
    assert.equal(records.length, 1 + results.length);
    for (const [i, r] of results.entries()) {
      const want = expectedRow(r);
      assert.deepEqual(
        Object.fromEntries(COLUMNS.map((c, j) => [c, records[i + 1]![j]])),
        Object.fromEntries(COLUMNS.map((c) => [c, csvText(c, want[c]!)])),
        `row ${i}`,
      );
    }
    // No cell a spreadsheet would take as a formula.
    for (const record of records.slice(1)) for (const cell of record) assert.doesNotMatch(cell, /^[=+@\t\r]|^-(?!\d)/, cell);
  });

  it('guards a cell starting with TAB or CR too (the dataset reader and the answer parser trim those, so written here directly)', () => {
    const columns = [
      { name: 'answer', type: 'string', nullable: true, untrusted: true },
      { name: 'cause', type: 'string', nullable: true, untrusted: false },
    ] as const;
    const text = tableCsv(columns, [
      ['\t=1+1', 'wrong_answer'],
      ['\r=2+2', null],
      ['fine, "quoted"', null],
    ]);
    assert.deepEqual(parseCsv(text), [
      ['answer', 'cause'],
      ["'\t=1+1", 'wrong_answer'],
      ["'\r=2+2", ''],
      ['fine, "quoted"', ''],
    ]);
  });

  it('reads back the same with pandas.read_csv (when /usr/bin/python3 has pandas)', async function () {
    if (!pandasAvailable()) this.skip();
    const file = path.join(tmp.dir, 'for-pandas.csv');
    const report = await gog(['report', run, '--csv', file], { cwd: tmp.dir });
    assert.equal(report.code, 0, report.stderr);
    const py = [
      'import json, sys, pandas as pd',
      'df = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False, encoding="utf-8")',
      'print(json.dumps({"columns": list(df.columns), "rows": df.values.tolist()}))',
    ].join('\n');
    const out = spawnSync('/usr/bin/python3', ['-c', py, file], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    const read = JSON.parse(out.stdout) as { columns: string[]; rows: string[][] };
    assert.deepEqual(read.columns, COLUMNS);
    assert.deepEqual(
      read.rows,
      results.map((r) => {
        const want = expectedRow(r);
        return COLUMNS.map((c) => csvText(c, want[c]!));
      }),
    );
  });

  it('writes the Parquet file typed (UTF-8 strings, doubles, int64, booleans; nulls only where optional), read back by the repo’s Parquet reader', async () => {
    const file = path.join(tmp.dir, 'table.parquet');
    const report = await gog(['report', run, '--parquet', file], { cwd: tmp.dir });
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /^table: table\.parquet \(Parquet, 4 samples\)\n$/);
    const bytes = await fs.readFile(file);
    const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const types = Object.fromEntries(
      meta.schema.slice(1).map((e) => [e.name, `${e.repetition_type} ${e.type}${e.logical_type ? ` ${e.logical_type.type}` : ''}`]),
    );
    const str = (opt: boolean) => `${opt ? 'OPTIONAL' : 'REQUIRED'} BYTE_ARRAY STRING`;
    assert.deepEqual(types, {
      id: str(false),
      index: 'REQUIRED INT64',
      rollout: 'REQUIRED INT64',
      benchmark: str(false),
      category: str(true),
      question: str(false),
      answer: str(true),
      gold: str(false),
      right: 'REQUIRED BOOLEAN',
      official_score: 'OPTIONAL DOUBLE',
      official_metric: str(true),
      exact_match: 'REQUIRED DOUBLE',
      f1: 'REQUIRED DOUBLE',
      judge: 'OPTIONAL BOOLEAN',
      cause: str(true),
      stop_reason: str(false),
      turns: 'REQUIRED INT64',
      glances: 'REQUIRED INT64',
      gazes: 'REQUIRED INT64',
      text_searches: 'REQUIRED INT64',
      prompt_tokens: 'REQUIRED INT64',
      completion_tokens: 'REQUIRED INT64',
      time_ms: 'REQUIRED DOUBLE',
      trajectory: str(false),
    });
    const rows: Record<string, unknown>[] = [];
    for await (const item of parquetRecords(file, bytes.length)) {
      assert.ok('value' in item, 'problem' in item ? item.problem : item.where);
      rows.push(item.value as Record<string, unknown>);
    }
    assert.equal(rows.length, results.length);
    for (const [i, r] of results.entries()) {
      const want = expectedRow(r);
      // Parquet keeps text as it is (no formula guard: no spreadsheet reads it as typed), int64 as BigInt.
      const got = Object.fromEntries(COLUMNS.map((c) => [c, typeof rows[i]![c] === 'bigint' ? Number(rows[i]![c]) : rows[i]![c]]));
      assert.deepEqual(got, want, `row ${i}`);
      for (const c of ['index', 'turns', 'prompt_tokens']) assert.equal(typeof rows[i]![c], 'bigint', c);
    }
  });

  it('writes both tables at once, and the HTML report as well when --out is given', async () => {
    const dir = path.join(tmp.dir, 'both');
    await fs.mkdir(dir);
    const report = await gog(['report', run, '--csv', 'a.csv', '--parquet', 'a.parquet', '--out', 'a.html'], { cwd: dir });
    assert.equal(report.code, 0, report.stderr);
    assert.deepEqual((await fs.readdir(dir)).sort(), ['a.csv', 'a.html', 'a.parquet']);
    assert.match(await fs.readFile(path.join(dir, 'a.html'), 'utf8'), /<\/html>\s*$/);
  });

  it("refuses, in one line with exit 2 and nothing written, the run's own files, an existing file, a link, one name for two outputs, and a single run", async () => {
    const before = await fs.readFile(path.join(run, 'results.jsonl'));
    const entries = async () => (await fs.readdir(run)).sort();
    const runEntries = await entries();
    const cases: [string[], RegExp][] = [
      [['--csv', path.join(run, 'results.jsonl')], /^gog: --csv .*results\.jsonl already exists; give a new file name/],
      [['--parquet', path.join(run, 'summary.json')], /^gog: --parquet .*summary\.json already exists/],
      [['--csv', path.join(tmp.dir, 'table.csv')], /^gog: --csv .*table\.csv already exists/],
      [['--csv', 'same.x', '--parquet', 'same.x'], /^gog: --csv and --parquet name the same file/],
      [['--csv', 'same.csv', '--out', 'same.csv'], /^gog: --out and a table flag name the same file/],
    ];
    await fs.symlink(path.join(run, 'results.jsonl'), path.join(tmp.dir, 'link.csv'));
    cases.push([['--csv', path.join(tmp.dir, 'link.csv')], /^gog: --csv .*link\.csv is a symbolic link/]);
    for (const [flags, pattern] of cases) {
      const r = await gog(['report', run, ...flags], { cwd: tmp.dir });
      assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
      oneErrorLine(r, pattern);
      assert.equal(r.stdout, '');
    }
    const single = path.join(run, path.dirname(results[0]!.trajectory));
    const r = await gog(['report', single, '--csv', 'single.csv'], { cwd: tmp.dir });
    assert.equal(r.code, 2, r.stderr);
    oneErrorLine(r, /^gog: --csv and --parquet take a benchmark run folder/);
    assert.deepEqual(await fs.readFile(path.join(run, 'results.jsonl')), before);
    assert.deepEqual(await entries(), runEntries);
    for (const f of ['same.x', 'same.csv', 'single.csv']) await assert.rejects(fs.stat(path.join(tmp.dir, f)), f);
  });
});

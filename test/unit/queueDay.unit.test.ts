// The review queue as an annotator's day needs it: the pace and time left the status bar
// shows, skip (no label, passed over by Resume), and flags for a second look kept in a
// small per-annotator file, written whole.
import { strict as assert } from 'node:assert';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { flagsFileOf, readFlags, writeFlags } from '../../src/review/queueFlags';
import { formatDuration, IDLE_GAP_MS, paceText, paceTooltip, QueuePace } from '../../src/review/queuePace';
import { QueueIndex, type QueueEntry } from '../../src/review/queueIndex';
import { describeFilter, entryName, MAX_NAME_CHARS, queueFilterSchema, ReviewQueue } from '../../src/review/reviewQueue';
import { tempDir } from '../helpers/fixtures';
import { sampleHeader } from '../helpers/trajectories';

const entry = (rel: string, label?: QueueEntry['label']): QueueEntry => ({
  rel,
  size: 1,
  mtimeMs: 1,
  question: rel,
  turns: 1,
  gazes: 0,
  reflections: 0,
  edits: 0,
  problems: 0,
  ...(label ? { label } : {}),
});

describe("review queue: an annotator's day", () => {
  const tmp = tempDir('gog-queue-day-');
  after(() => tmp.cleanup());

  it('names each trajectory by its dataset sample id, else its record id, else its path: one line, bounded', async () => {
    assert.equal(entryName({ rel: '5-0/trajectory.jsonl', id: 'run-5-0', sampleId: 'val-0042' }), 'val-0042');
    assert.equal(entryName({ rel: '5-0/trajectory.jsonl', id: 'run-5-0' }), 'run-5-0');
    assert.equal(entryName({ rel: '5-0/trajectory.jsonl' }), '5-0/trajectory.jsonl');
    assert.equal(entryName({ rel: 'a/trajectory.jsonl', sampleId: 'two\nlines\there' }), 'two lines here');
    assert.equal(entryName({ rel: 'a/trajectory.jsonl', sampleId: 'x'.repeat(100_000) }).length, MAX_NAME_CHARS);
    assert.equal(entryName({ rel: 'a/trajectory.jsonl', sampleId: ' \n ' }), 'a/trajectory.jsonl');
    // What the index reads from a header: the sample id a benchmark run records.
    const dir = path.join(tmp.dir, 'named', '5-0');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'trajectory.jsonl'), JSON.stringify(sampleHeader({ sampleId: 'val-0042', dataset: 'mmsearch' })) + '\n');
    const [e] = await new QueueIndex(path.join(tmp.dir, 'named')).scan();
    assert.equal(entryName(e!), 'val-0042');
  });

  it('paces labels per hour of active time, pauses capped, and gives the time the rest takes', () => {
    const start = Date.UTC(2026, 11, 5, 9);
    const pace = new QueuePace(start);
    // Before the first label: counts, no pace.
    assert.equal(paceText(pace.summary(0, 10, start + 30_000)), '0/10 reviewed · pace after the first label');
    // Three labels a minute apart, then a 40-minute lunch, then one more a minute after it.
    pace.labelGiven(start + 60_000);
    pace.labelGiven(start + 120_000);
    pace.labelGiven(start + 180_000);
    const s3 = pace.summary(3, 10, start + 180_000);
    assert.equal(s3.activeMs, 180_000);
    assert.equal(s3.perHour, 60);
    assert.equal(s3.leftMs, 7 * 60_000);
    assert.equal(paceText(s3), '3/10 reviewed · 60/h · 7 min left');
    pace.labelGiven(start + 180_000 + 40 * 60_000);
    const s4 = pace.summary(4, 10, start + 180_000 + 40 * 60_000);
    // The lunch counts as IDLE_GAP_MS: 4 labels in 3 + 5 minutes.
    assert.equal(s4.activeMs, 180_000 + IDLE_GAP_MS);
    assert.equal(s4.perHour, 30);
    assert.equal(paceText(s4), '4/10 reviewed · 30/h · 12 min left');
    assert.match(paceTooltip(s4), /4 labelled in 8 min of active time/);
    assert.equal(paceText(pace.summary(10, 10, start + 50 * 60_000)), '10/10 reviewed · done');
    assert.equal(formatDuration(125 * 60_000), '2 h 05 min');
    assert.equal(formatDuration(20_000), 'under a minute');
  });

  it('skips to the next unreviewed without a label; Resume passes the skipped over until only they are left', () => {
    const q = new ReviewQueue([entry('a/trajectory.jsonl'), entry('b/trajectory.jsonl', 'accepted'), entry('c/trajectory.jsonl'), entry('d/trajectory.jsonl')]);
    assert.equal(q.nextUnreviewed('a/trajectory.jsonl')?.rel, 'c/trajectory.jsonl', 'the labelled one is passed over');
    q.skip('a/trajectory.jsonl');
    assert.equal(q.entry('a/trajectory.jsonl')?.label, undefined, 'a skipped trajectory stays unreviewed');
    assert.equal(q.counts.reviewed, 1);
    assert.equal(q.firstUnreviewed()?.rel, 'c/trajectory.jsonl');
    q.skip('c/trajectory.jsonl');
    // From the last, Skip wraps round to an unreviewed one not skipped.
    assert.equal(q.nextUnreviewed('d/trajectory.jsonl'), undefined);
    assert.equal(q.nextUnreviewed('c/trajectory.jsonl')?.rel, 'd/trajectory.jsonl');
    q.skip('d/trajectory.jsonl');
    assert.equal(q.firstUnreviewed()?.rel, 'a/trajectory.jsonl', 'only skipped ones left: the first of them');
  });

  it('flags: a filter shows the flagged, and they are kept in a per-annotator file written whole', async () => {
    const q = new ReviewQueue([entry('a/trajectory.jsonl'), entry('b/trajectory.jsonl', 'rejected'), entry('c/trajectory.jsonl')]);
    assert.equal(q.toggleFlag('b/trajectory.jsonl'), true);
    assert.equal(q.toggleFlag('c/trajectory.jsonl'), true);
    assert.equal(q.toggleFlag('c/trajectory.jsonl'), false);
    q.filter = queueFilterSchema.parse({ flagged: true });
    assert.deepEqual(
      q.shown.map((e) => e.rel),
      ['b/trajectory.jsonl'],
    );
    assert.equal(describeFilter(q.filter), 'flagged');
    q.filter = { flagged: false };
    assert.deepEqual(
      q.shown.map((e) => e.rel),
      ['a/trajectory.jsonl', 'c/trajectory.jsonl'],
    );

    const state = path.join(tmp.dir, 'state');
    const ann = flagsFileOf(state, 'q1', 'Ann Lee');
    const bob = flagsFileOf(state, 'q1', 'bob');
    assert.notEqual(ann, bob, 'each annotator a file of their own');
    assert.equal(path.dirname(ann), path.join(state, 'q1.flags'));
    assert.deepEqual(await readFlags(ann), new Set(), 'no file yet: nothing flagged');
    await writeFlags(ann, 'Ann Lee', q.flagged);
    await writeFlags(bob, 'bob', new Set(['a/trajectory.jsonl']));
    // What a reload reads.
    const reloaded = new ReviewQueue([entry('a/trajectory.jsonl'), entry('b/trajectory.jsonl')]);
    reloaded.flagged = await readFlags(ann);
    assert.ok(reloaded.isFlagged('b/trajectory.jsonl'));
    assert.ok(!reloaded.isFlagged('a/trajectory.jsonl'));
    assert.deepEqual(await readFlags(bob), new Set(['a/trajectory.jsonl']));
    // Written atomically: no temporary file left beside them.
    assert.deepEqual(
      readdirSync(path.dirname(ann)).filter((n) => n.endsWith('.tmp')),
      [],
    );
    assert.equal(JSON.parse(readFileSync(ann, 'utf8')).annotator, 'Ann Lee');
  });

  it('refuses a flags file that is not one, or a link out, in one line, and does not read it', async () => {
    const dir = path.join(tmp.dir, 'bad.flags');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'x.json'), '{nope');
    await assert.rejects(readFlags(path.join(dir, 'x.json')), /^Error: the flags file x\.json is not JSON$/);
    writeFileSync(path.join(dir, 'y.json'), JSON.stringify({ kind: 'gog-queue-flags', version: 1, annotator: 'a', flagged: 'all' }));
    await assert.rejects(readFlags(path.join(dir, 'y.json')), /^Error: the flags file y\.json is not a list of flagged trajectories$/);
    const outside = path.join(tmp.dir, 'secret.json');
    writeFileSync(outside, JSON.stringify({ kind: 'gog-queue-flags', version: 1, annotator: 'a', flagged: ['z'] }));
    symlinkSync(outside, path.join(dir, 'z.json'));
    await assert.rejects(readFlags(path.join(dir, 'z.json')), /^Error: the flags file z\.json .+/);
  });
});

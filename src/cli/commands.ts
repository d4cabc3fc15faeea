// Every `gog` command, declared once: its usage, what it does, the flags its parser takes
// (with their help and defaults) and an example. Each command parses its arguments with its
// declaration (args.ts), and `gog help COMMAND` prints it (usage.ts), so a flag cannot be
// taken without being documented, or documented without being taken. The run settings'
// flags come from their own declaration (src/run/settingsSpec.ts). This module is light:
// `gog help` loads it without loading any command.
import { DIALECT_IDS, LABELS } from '../core/trajectoryTerms';
import { BOX_FORMATS } from '../core/geometry';
import { LAYOUT_IDS } from '../data/datasets/layoutIds';
import { SCORER_IDS } from '../data/scoring/metrics';
import { FIND_FIELDS } from '../data/find/findQuery';
import { EXPORT_FORMATS } from '../data/export/exportFormats';
import { IMPORT_FORMATS } from '../data/import/importFormats';
import { settingFlags, type CliFlag } from '../run/settingsSpec';
import { SERVICE_INFO } from '../search/services';

export interface CommandSpec<O extends Record<string, CliFlag> = Record<string, CliFlag>, N extends string = string> {
  name: N;
  /** What follows `gog NAME` on each usage line. */
  usage: readonly string[];
  /** One line, for the list of commands. */
  summary: string;
  /** Paragraphs under the usage lines. */
  about?: readonly string[];
  /** Every flag the command takes; the run settings' flags are shown in a section of their own. */
  options: O;
  /** How many positional arguments it takes, at least and at most (a subcommand counts as one). */
  positionals: readonly [min: number, max: number];
  /** Words that come first, naming what the command does (`gog queue split`): its parser reads what follows. */
  subcommands?: readonly string[];
  /** The arguments after `gog NAME` of a command that works as it is written. */
  example: readonly string[];
  /** Lines at the end: exit status, environment. */
  notes?: readonly string[];
}

/** A declaration, with its flags' types kept for the parser's result. */
function command<const N extends string, const O extends Record<string, CliFlag>>(spec: CommandSpec<O, N>): CommandSpec<O, N> {
  return spec;
}

/** The flags every run setting has (settingsSpec.ts). */
const SETTINGS = settingFlags();

/** The environment variables the web services' keys are read from. */
const KEY_VARIABLES = Object.values(SERVICE_INFO).flatMap((s) => (s.keyEnv ? [s.keyEnv] : []));

/** Flags whose meaning is the same wherever they are taken. */
const CACHE = { type: 'string', arg: 'DIR', help: 'search cache folder (default .gog/cache)' } as const satisfies CliFlag;

export const ASK = command({
  name: 'ask',
  usage: ['--image PATH --question TEXT [options]'],
  summary: 'run one query',
  about: [
    'Runs the agent on one image and question against an OpenAI-compatible endpoint, prints its steps as they happen and writes the trajectory in a new run folder.',
  ],
  options: {
    image: { type: 'string', arg: 'PATH', help: 'the image to ask about (required)' },
    question: { type: 'string', arg: 'TEXT', help: 'the question (required)' },
    out: { type: 'string', arg: 'DIR', help: 'run folder to create: new or empty (default .gog/runs/<id>)' },
    gold: { type: 'string', multiple: true, arg: 'TEXT', help: 'a gold answer alias, for scoring (repeatable)' },
    cache: CACHE,
    json: { type: 'boolean', help: 'print only one JSON line on stdout: answer, stopReason, turns, trajectory, runDir, model, score, error' },
    ...SETTINGS,
  },
  positionals: [0, 0],
  example: [
    '--image',
    'media/demo/images/rocket.jpg',
    '--question',
    'Which spacecraft did this rocket launch?',
    '--endpoint',
    'http://127.0.0.1:8000/v1',
    '--json',
  ],
  notes: [
    `The API key is read from OPENAI_API_KEY (none is needed for local servers); search keys from ${KEY_VARIABLES.join(', ')}; upload keys (s3://) from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.`,
    'Exit status: 0 answered, 1 the run ended without an answer, 2 the run could not start (nothing written).',
  ],
});

export const REPLAY = command({
  name: 'replay',
  usage: ['TRAJECTORY... [--port N] [--host ADDRESS] [--latency MS]'],
  summary: 'serve recorded model turns as an OpenAI-compatible endpoint on 127.0.0.1',
  about: [
    'Serves the model turns recorded in the trajectories (chat completions, streamed or not, and /v1/models), and their searches as the `recorded` search provider, until Ctrl+C.',
  ],
  options: {
    port: { type: 'string', arg: 'N', help: 'the port to listen on (default 0: a free port, printed)' },
    host: { type: 'string', arg: 'ADDRESS', help: 'the address to listen on (default 127.0.0.1)' },
    latency: { type: 'string', arg: 'MS', help: 'milliseconds to wait before each reply (default 0)' },
  },
  positionals: [1, Infinity],
  example: ['.gog/runs/my-run/trajectory.jsonl', '--port', '8123'],
});

export const REPORT = command({
  name: 'report',
  usage: ['PATH [--out FILE.html] [--report-mb N]', 'RUN_DIR --csv FILE | --parquet FILE [--out FILE.html]'],
  summary: 'one self-contained HTML file to share, or a run as a CSV or Parquet table',
  about: [
    "PATH is a benchmark run folder (its overview and failures), a trajectory or its run folder. Without --out the report is the run's own report.html.",
    "With --csv or --parquet, the run's table, one row per sample (id, scores, cause, turns, searches, tokens, time, trajectory), as a new file; the HTML report too only with --out.",
  ],
  options: {
    out: { type: 'string', arg: 'FILE.html', help: "the report, a new file (default: the run's report.html, made again)" },
    csv: { type: 'string', arg: 'FILE', help: "a benchmark run's table as a new CSV file" },
    parquet: { type: 'string', arg: 'FILE', help: "a benchmark run's table as a new Parquet file" },
    'report-mb': {
      type: 'string',
      arg: 'N',
      help: "the most megabytes a benchmark run's report may weigh: the samples' trajectories go in failures first, then the rest, until it is spent (default 50, 1–400)",
    },
  },
  positionals: [1, 1],
  example: ['.gog/runs/my-bench-run', '--csv', 'results.csv'],
});

export const COMPARE = command({
  name: 'compare',
  usage: ['RUN_A RUN_B [RUN_C…] [--baseline RUN] [--json]'],
  summary: 'two to eight benchmark runs of the same samples against a baseline',
  about: [
    "Regressions, improvements, where trajectories diverge, summary deltas, McNemar's exact p and a paired bootstrap 95% CI per run, against the baseline.",
  ],
  options: {
    baseline: { type: 'string', arg: 'RUN', help: 'the run the others are compared with: A, B, … or a folder (default the first)' },
    json: { type: 'boolean', help: 'the comparison as one JSON object' },
  },
  positionals: [2, 8],
  example: ['.gog/runs/base', '.gog/runs/tuned', '--baseline', 'A'],
});

export const FIND = command({
  name: 'find',
  usage: ['PATH QUERY [options]'],
  summary: 'the steps of trajectories whose text holds QUERY, printed as found',
  about: [
    'Searches the trajectories under PATH (a file, a run, a folder of runs). Lines that cannot be read, and links out of PATH, are named on stderr; the rest is searched.',
  ],
  options: {
    regex: { type: 'boolean', help: 'QUERY is a JavaScript regular expression (unicode mode)' },
    'ignore-case': { type: 'boolean', short: 'i', help: 'match upper and lower case alike' },
    in: {
      type: 'string',
      multiple: true,
      arg: 'FIELD,...',
      help: `search only these: ${FIND_FIELDS.join(', ')} (evidence: result titles, snippets, summaries); default all; corrections made in review are found too`,
    },
    limit: { type: 'string', arg: 'N', help: 'stop after N matches (default no limit)' },
    json: { type: 'boolean', help: 'one JSON object per match per line' },
    'file-timeout': {
      type: 'string',
      arg: 'S',
      help: 'seconds one file may take (default 10): a pattern that backtracks without end is stopped there, and so is the search',
    },
    timeout: { type: 'string', arg: 'S', help: 'seconds the whole search may take (default 300)' },
  },
  positionals: [2, 2],
  example: ['.gog/runs', 'Lagrange point', '-i', '--in', 'reasoning,answer'],
  notes: ['Exit status: 0 searched (with or without matches), 1 stopped by a time limit, 2 bad input, 130 Ctrl+C.'],
});

export const DEMO = command({
  name: 'demo',
  usage: ['[--out DIR]'],
  summary: 'replay the bundled demo questions',
  about: [
    'No model server, no key, no network: recorded model turns are replayed on 127.0.0.1, and the agent loop, crops, corpus searches and trajectories run for real.',
  ],
  options: {
    out: { type: 'string', arg: 'DIR', help: 'a new or empty folder for the runs (default .gog/runs/demo-<id>)' },
  },
  positionals: [0, 0],
  example: ['--out', 'demo-runs'],
});

export const LABEL = command({
  name: 'label',
  usage: [`TRAJECTORY ${LABELS.join('|')} [--note TEXT] [--tag T]... [--annotator NAME] [--adjudicate]`],
  summary: 'the verdict on a trajectory by an annotator, appended to their own file beside it',
  about: [
    "Written to trajectory.annotations/<annotator>.jsonl beside the trajectory, one file per annotator, so that annotators' labels merge through git without conflicts. Checked against the project's label scheme (.gog/labels.json, at or above the trajectory's folder): its verdicts, its error categories as tags, the reasons it asks for.",
  ],
  options: {
    note: { type: 'string', arg: 'TEXT', help: 'why, in a few words' },
    tag: { type: 'string', multiple: true, arg: 'T', help: 'a tag, such as an error category (repeatable)' },
    annotator: {
      type: 'string',
      arg: 'NAME',
      help: "who gives the label (default GOG_ANNOTATOR, else the workspace's git user.name, else the account's name)",
    },
    adjudicate: { type: 'boolean', help: "the label is an adjudicator's: it settles annotators' conflicting verdicts" },
  },
  positionals: [2, 2],
  example: ['.gog/runs/my-run/trajectory.jsonl', 'needs-fix', '--note', 'wrong crop', '--tag', 'gaze'],
});

export const RERUN = command({
  name: 'rerun',
  usage: ['TRAJECTORY --from-step N [--out DIR] [options]'],
  summary: 'continue a run from a corrected step with the live model, as a new branch run',
  about: [
    "The branch is written beside the run (branches/s<N>-<id>/ unless --out). It keeps its parent's dialect and box format, and takes its max turns, results per search and evidence images unless given.",
  ],
  options: {
    'from-step': { type: 'string', arg: 'N', help: 'the step to carry out anew, from 1 (required)' },
    out: { type: 'string', arg: 'DIR', help: 'run folder to create: new or empty (default RUN/branches/s<N>-<id>)' },
    cache: CACHE,
    json: { type: 'boolean', help: 'print only one JSON line on stdout with the outcome' },
    ...SETTINGS,
  },
  positionals: [1, 1],
  example: ['.gog/runs/my-run/trajectory.jsonl', '--from-step', '3', '--endpoint', 'http://127.0.0.1:8000/v1'],
  notes: [
    "The API key is read from OPENAI_API_KEY, the endpoint's default from OPENAI_BASE_URL; search keys as gog ask reads them (gog help ask).",
    'Exit status: 0 answered, 1 the run ended without an answer, 2 the run could not start.',
  ],
});

export const EXPORT = command({
  name: 'export',
  usage: [`PATH... --format ${EXPORT_FORMATS.join('|')} --out DIR [options]`],
  summary: 'accepted, corrected trajectories as training data, images beside it',
  options: {
    format: { type: 'string', arg: EXPORT_FORMATS.join('|'), help: 'the training data format (required)' },
    out: { type: 'string', arg: 'DIR', help: 'a new or empty folder for the export (required)' },
    include: { type: 'string', multiple: true, arg: 'rejected', help: 'export trajectories labelled rejected too (default: accepted only)' },
    dialect: { type: 'string', arg: DIALECT_IDS.join('|'), help: "write the turns in this dialect (default each trajectory's own)" },
    'min-annotators': { type: 'string', arg: 'N', help: 'export only samples labelled by at least N annotators, adjudicators aside (default 1)' },
    json: { type: 'boolean', help: 'one JSON line with the counts' },
  },
  about: [
    "A trajectory's verdict is its adjudicator's, else the one every annotator who labelled it agrees on; one whose annotators disagree is skipped as conflict (counted in the summary).",
  ],
  positionals: [1, Infinity],
  example: ['.gog/runs', '--format', 'llama-factory', '--out', 'sft-data'],
});

export const IMPORT = command({
  name: 'import',
  usage: [`FILE --format ${IMPORT_FORMATS.join('|')} --out DIR [options]`],
  summary: "peers' rollouts and chat logs as trajectories",
  options: {
    format: { type: 'string', arg: IMPORT_FORMATS.join('|'), help: 'what FILE holds (required)' },
    out: { type: 'string', arg: 'DIR', help: 'a new or empty folder for the imported runs (required)' },
    dialect: { type: 'string', arg: DIALECT_IDS.join('|'), help: 'read untagged chats in this dialect (default gog)' },
    'box-format': { type: 'string', arg: BOX_FORMATS.join('|'), help: 'the coordinates of boxes when the instructions do not say (default pixels-sent)' },
    json: { type: 'boolean', help: 'one JSON line with the counts' },
  },
  positionals: [1, 1],
  example: ['rollouts.jsonl', '--format', 'mmsearch-r1', '--out', 'imported'],
});

export const CACHE_COMMAND = command({
  name: 'cache',
  usage: ['stats|clear [--cache DIR] [--provider ID] [--json]'],
  summary: 'what the search cache holds; empty it',
  options: {
    cache: CACHE,
    provider: { type: 'string', arg: 'ID', help: "clear only this provider's searches (default all)" },
    json: { type: 'boolean', help: 'one JSON line' },
  },
  positionals: [1, 1],
  example: ['stats', '--cache', '.gog/cache'],
});

export const BENCH = command({
  name: 'bench',
  usage: ['DATASET [options]'],
  summary: 'run a benchmark file (JSON, JSONL, Parquet) and score every answer',
  about: ['Every sample runs as `gog ask` would, a few at a time; the run folder holds each trajectory, results.jsonl and the summary.'],
  options: {
    limit: { type: 'string', arg: 'N', help: 'the first N samples only' },
    concurrency: { type: 'string', arg: 'N', help: 'model requests in flight at once (default 8)' },
    shard: {
      type: 'string',
      arg: 'I/N|auto',
      help: 'run shard I of N (0-based); auto reads a Kubernetes Indexed Job or a Slurm job array; writes RUN_DIR/shard-I-of-N; the first shard plans the run (RUN_DIR/shards.json), the others join it',
    },
    shards: { type: 'string', arg: 'N', help: "the shard count, with --shard auto (else the plan's, or JOB_COMPLETIONS, or the Slurm array's)" },
    resume: { type: 'boolean', help: 'take up the run in --out where it stopped; samples that ended in an endpoint error run again' },
    rollouts: { type: 'string', arg: 'K', help: 'K trajectories per sample, for pass rates and levels (default 1)' },
    'judge-endpoint': {
      type: 'string',
      arg: 'URL',
      help: 'an LLM judge grading correct / incorrect / not attempted, with --judge-model; key GOG_JUDGE_API_KEY',
    },
    'judge-model': { type: 'string', arg: 'NAME', help: 'the judge model, with --judge-endpoint' },
    map: { type: 'string', arg: 'question=F,answer=F|F,image=F[,id=F,category=F]', help: 'fields of a layout not detected (dotted paths)' },
    layout: { type: 'string', arg: 'ID', help: `a built-in layout instead of the one detected: ${LAYOUT_IDS.join(', ')}` },
    scorer: {
      type: 'string',
      arg: 'ID',
      help: `the official measure instead of the layout's (for a file of your own mapping: exact match unless given): ${SCORER_IDS.join(', ')}`,
    },
    images: { type: 'string', arg: 'DIR', help: "another folder the images are in (InfoSeek: OVEN's image shards, with their id2image.jsonl)" },
    out: { type: 'string', arg: 'RUN_DIR', help: 'run folder (default .gog/runs/bench-<id>)' },
    cache: CACHE,
    json: { type: 'boolean', help: 'one JSON line: samples, done, finished, errors, accuracy, f1, judge, official, run' },
    ...SETTINGS,
    // Several endpoints: samples are spread over them.
    endpoint: { type: 'string', multiple: true, arg: 'URL', help: `${SETTINGS.endpoint!.help}; repeatable: samples are spread over the endpoints` },
  },
  positionals: [1, 1],
  example: ['simplevqa.parquet', '--endpoint', 'http://127.0.0.1:8000/v1', '--limit', '50', '--out', '.gog/runs/simplevqa-50'],
  notes: [
    `The API key is read from OPENAI_API_KEY, the endpoint's default from OPENAI_BASE_URL; the judge key from GOG_JUDGE_API_KEY; search keys as gog ask reads them (gog help ask).`,
    'GOG_LOCK_HEARTBEAT_SECONDS: how often the lock on the run folder is renewed (0.1 to 600, default 5); another machine takes a run over after three intervals without one.',
    'Exit status: 0 every sample done, 1 stopped or endpoint errors (run again with --resume), 2 the run could not start.',
  ],
});

export const MERGE = command({
  name: 'merge',
  usage: ['RUN_DIR... --out RUN_DIR [--allow-partial] [--json]'],
  summary: 'merge the shard folders of one run',
  options: {
    out: { type: 'string', arg: 'RUN_DIR', help: 'a new or empty folder for the merged run (required)' },
    'allow-partial': { type: 'boolean', help: 'merge even when samples are missing (the run is marked INCOMPLETE)' },
    json: { type: 'boolean', help: 'one JSON line: samples, done, finished, errors, accuracy, f1, judge, run' },
  },
  positionals: [1, Infinity],
  example: ['.gog/runs/big/shard-0-of-2', '.gog/runs/big/shard-1-of-2', '--out', '.gog/runs/big-merged'],
  notes: ['Exit status: 0 merged, 1 samples are missing (INCOMPLETE), 2 bad input.'],
});

export const EXPORT_RL = command({
  name: 'export-rl',
  usage: ['RUN_DIR --out FILE.parquet [--threshold X] [--data-source NAME]'],
  summary: "the hard queries (Level 2), in veRL's layout",
  options: {
    out: { type: 'string', arg: 'FILE.parquet', help: 'a new Parquet file (required)' },
    threshold: { type: 'string', arg: 'X', help: "a pass rate below this is hard, 0 to 1 (default the run's hard pass rate, else 0.5)" },
    'data-source': { type: 'string', arg: 'NAME', help: 'the data_source column (default mmsearch_r1/<benchmark>)' },
  },
  positionals: [1, 1],
  example: ['.gog/runs/rollouts', '--out', 'hard.parquet', '--threshold', '0.5'],
});

export const QUEUE = command({
  name: 'queue',
  usage: ['split PATH --annotators a,b,c --overlap X --out DIR [--seed N]'],
  summary: 'a queue file per annotator from a queue file or a folder of trajectories',
  about: [
    'Writes DIR/<name>.json for each annotator: every sample goes to one annotator, round(overlap × samples) of them to two, chosen by the seed. Never over an existing queue.',
  ],
  options: {
    annotators: { type: 'string', arg: 'a,b,c', help: 'the annotators, two or more (required)' },
    overlap: { type: 'string', arg: 'X', help: 'the share of samples given to two annotators, 0 to 1 (default 0)' },
    out: { type: 'string', arg: 'DIR', help: 'the folder the queue files go to (required)' },
    seed: { type: 'string', arg: 'N', help: 'the seed of the shuffle that chooses the samples (default 0)' },
  },
  positionals: [2, 2],
  subcommands: ['split'],
  example: ['split', '.gog/runs/my-bench-run', '--annotators', 'ann,bob,cy', '--overlap', '0.2', '--out', '.gog/queues'],
});

export const AGREEMENT = command({
  name: 'agreement',
  usage: ['PATH [--json]'],
  summary: 'how far the annotators of a run folder, a folder of trajectories or a queue file agree',
  about: [
    "Per pair and overall, percent agreement and Cohen's κ (Fleiss' κ for three or more) on verdicts and on each error category (present or absent), IoU between annotators' gaze boxes and of the model's box with each correction (by benchmark, category, checkpoint), and the samples whose verdicts differ. κ shows — (JSON null) when undefined: no samples in common, or one category throughout.",
  ],
  options: {
    json: { type: 'boolean', help: 'the report as one JSON object' },
  },
  positionals: [1, 1],
  example: ['.gog/runs/my-bench-run', '--json'],
});

/** Every command, in the order `gog help` lists them. */
export const COMMANDS = [
  ASK,
  BENCH,
  DEMO,
  REPLAY,
  REPORT,
  COMPARE,
  FIND,
  LABEL,
  QUEUE,
  AGREEMENT,
  RERUN,
  EXPORT,
  IMPORT,
  CACHE_COMMAND,
  MERGE,
  EXPORT_RL,
] as const;

export type CommandName = (typeof COMMANDS)[number]['name'];

export function commandNamed(name: string): CommandSpec | undefined {
  return (COMMANDS as readonly CommandSpec[]).find((c) => c.name === name);
}

/** The flags of the run settings, shown in their own section of a command's help. */
export function isSettingFlag(name: string): boolean {
  return Object.hasOwn(SETTINGS, name);
}

// `gog help`. The settings flags come from the one declaration of every run setting.
import { cliHelp } from '../run/settingsSpec';

export const USAGE = `gog — the Glance-or-Gaze search-augmented VQA agent, headless

usage:
  gog ask --image PATH --question TEXT [options]   run one query
  gog replay TRAJECTORY... [--port N] [--latency MS]
                                                   serve recorded model turns as an
                                                   OpenAI-compatible endpoint on 127.0.0.1
  gog report PATH [--out FILE.html] [--report-mb N]
                                                   one self-contained HTML file to share: a
                                                   benchmark run folder's overview and failures
                                                   with its samples' trajectories (failures
                                                   first, within N MB, default 50), or a
                                                   trajectory (or its run folder)
  gog report RUN_DIR --csv FILE | --parquet FILE [--out FILE.html]
                                                   the run's table, one row per sample (id,
                                                   scores, cause, turns, searches, tokens, time,
                                                   trajectory) as a new CSV or Parquet file; the
                                                   HTML report too only with --out
  gog compare RUN_A RUN_B [RUN_C…] [--baseline RUN] [--json]
                                                   two to eight benchmark runs of the same
                                                   samples against a baseline (the first, or
                                                   --baseline B or a folder): regressions,
                                                   improvements, where trajectories diverge,
                                                   summary deltas, McNemar's exact p and a
                                                   paired bootstrap 95% CI per run
  gog find PATH QUERY [--regex] [--ignore-case] [--in FIELD,...] [--limit N] [--json]
                                                   the steps of the trajectories under PATH (a
                                                   file, a run, a folder of runs) whose text holds
                                                   QUERY, printed as found (see find options)
  gog demo [--out DIR]                             replay the bundled demo questions
  gog label TRAJECTORY accepted|rejected|needs-fix [--note TEXT] [--tag T]...
                                                   the verdict on a trajectory, appended to it
  gog rerun TRAJECTORY --from-step N [--out DIR] [ask's model and search options]
                                                   continue a run from a corrected step with the
                                                   live model: a new branch run beside it
                                                   (branches/s<N>-<id>/ unless --out)
  gog export PATH... --format llama-factory|openai --out DIR [--include rejected] [--dialect ID] [--json]
                                                   the accepted, corrected trajectories under
                                                   PATH as training data, images beside it
  gog import FILE --format mmsearch-r1|openai-chat --out DIR [--dialect ID] [--box-format F] [--json]
                                                   peers' rollouts and chat logs as trajectories
  gog cache stats|clear [--cache DIR] [--provider ID]
                                                   what the search cache holds; empty it
  gog bench DATASET [options]                      run a benchmark file (JSON, JSONL,
                                                   Parquet) and score every answer
  gog merge RUN_DIR... --out RUN_DIR [--allow-partial]
                                                   merge the shard folders of one run (exit 1
                                                   and INCOMPLETE when samples are missing)
  gog export-rl RUN_DIR --out FILE.parquet [--threshold X] [--data-source NAME]
                                                   the hard queries (Level 2), in veRL's layout
  gog help                                         this text

ask options (rerun takes these but --image, --question and --gold; it keeps its parent's
dialect and box format, and takes its max turns, results per search and evidence images
unless given):
  --image PATH                     the image to ask about (required)
  --question TEXT                  the question (required)
  --out DIR                        run folder to create: new or empty (default .gog/runs/<id>)
  --gold TEXT                      a gold answer alias, for scoring (repeatable)
  --cache DIR                      search cache folder (default .gog/cache)
  --json                           print only one JSON line with the outcome on stdout
${cliHelp().join('\n')}

bench options (besides those of ask, but --image, --question and --gold):
  --endpoint URL                   repeatable: samples are spread over the endpoints
  --limit N                        the first N samples only
  --concurrency N                  model requests in flight at once (default 8)
  --shard I/N | auto               run shard I of N (0-based); auto reads a Kubernetes
                                   Indexed Job or a Slurm job array; writes RUN_DIR/shard-I-of-N;
                                   the first shard plans the run (RUN_DIR/shards.json), the
                                   others join it (a re-submitted task takes its count)
  --shards N                       the shard count, with --shard auto (else the plan's, or
                                   JOB_COMPLETIONS, or the Slurm array's)
  --resume                         take up the run in --out where it stopped; samples that
                                   ended in an endpoint error run again
  --rollouts K                     K trajectories per sample, for pass rates and levels
  --judge-endpoint URL --judge-model NAME
                                   an LLM judge grading correct / incorrect / not attempted
                                   (our own prompt wording); key GOG_JUDGE_API_KEY
  --map question=F,answer=F|F,image=F[,id=F,category=F]
                                   fields of a layout not detected (dotted paths)
  --images DIR                     another folder the images are in (InfoSeek: OVEN's image
                                   shards, with their id2image.jsonl)
  --scorer exact-match|f1|token-recall|infoseek|judge
                                   the official measure, instead of the layout's (for a
                                   file of your own mapping: exact match unless given)
  --out RUN_DIR                    run folder (default .gog/runs/bench-<id>)
  --json                           one JSON line: samples, done, finished, errors, accuracy,
                                   f1, judge, run

find options:
  --regex                          QUERY is a JavaScript regular expression (unicode mode)
  --ignore-case, -i                match upper and lower case alike
  --in FIELD,...                   search only these: reasoning, reflection, query,
                                   evidence (result titles, snippets, summaries), answer
                                   (default all); corrections made in review are found too
  --limit N                        stop after N matches
  --json                           one JSON object per match per line
  --file-timeout S                 the most one file may take (default 10): a pattern that
                                   backtracks without end is stopped there, and so is the search
  --timeout S                      the most the whole search may take (default 300)
  lines that cannot be read, and links out of PATH, are named on stderr; the rest is searched
  exit status: 0 searched (with or without matches), 1 stopped by a time limit, 2 bad input,
  130 Ctrl+C

The API key is read from OPENAI_API_KEY (none is needed for local servers).
Exit status: 0 answered, 1 the run ended without an answer, 2 the run could not start.`;

// Re-run from a step: after an annotator corrects step N (a better gaze box, a rewritten
// query, an inserted reflection), the run continues from there with the live model and real
// tools. The conversation before N is rebuilt from the corrected record in the run's dialect
// (the model's own turns, corrected where annotated; the evidence re-rendered exactly as the
// agent rendered it, its thumbnails from the run folder), step N's corrected turn is carried
// out as if the model had written it, and the agent goes on. The result is a new run folder,
// by default `branches/s<N>-<id>/` beside the parent, whose header names its parent and
// which starts with the parent's events before N, so it stands alone for review and export.
import * as path from 'node:path';
import { oneLine } from '../core/agent';
import { applyAnnotations } from '../core/annotations';
import { ASSET_URL, mapImages, rebuildConversation, sentImagePath, stepsOf, turnOutput, type StepRecord } from '../core/conversation';
import { getDialect, type PromptTemplates } from '../core/dialects';
import { recordedTemplates } from '../core/dialects/recordedPrompts';
import { staleSteps } from '../core/staleness';
import type { AnnotationEvent, TrajectoryEvent, TrajectoryHeader } from '../core/trajectory';
import { TrajectoryTooLarge } from '../core/trajectoryFile';
import { readAnnotatedTrajectory } from '../core/annotationFiles';
import { newRunId } from '../data/runFolder';
import { referencedAssets } from '../core/referencedImages';
import { describeRefused, isRunPage, RunAssets } from '../data/runAssets';
import { QueryError, runQuery, type Continuation, type QueryHooks, type QueryOutcome, type QuerySettings } from './runQuery';
import type { RunSettings } from './settingsSpec';
import type { PresetId } from './presets';
import type { SearchKind } from '../core/runRules';

/** Trajectories are read whole to rebuild them; no real run comes near this. */
const MAX_TRAJECTORY_BYTES = 256 * 1024 * 1024;

export interface RerunRequest {
  trajectory: string;
  /** The first step carried out anew (1-based). */
  fromStep: number;
  /** The branch's run folder; default `<parent's folder>/branches/s<N>-<id>/`. */
  out?: string;
}

export interface RerunOutcome extends QueryOutcome {
  /** The branch's trajectory file. */
  branch: string;
}

/**
 * The defaults a branch takes from its parent, over `settings`: the conversation's dialect and
 * boxes (which it must keep), and the run's preset, budget, results per search and evidence
 * images (which a caller may still change: the CLI applies its flags over these).
 */
export function branchSettings<S extends RunSettings>(settings: S, header: TrajectoryHeader): S {
  return {
    ...settings,
    dialect: header.model.dialect,
    boxFormat: header.model.boxFormat,
    maxTurns: header.agent.maxTurns,
    topK: header.agent.topK,
    // The parent's preset goes on (none when it had none): a branch keeps its parent's rules.
    // One this version does not know is refused by the settings check.
    preset: (header.agent.preset ?? 'none') as PresetId,
    ...(header.model.evidenceImages !== undefined ? { evidenceImages: header.model.evidenceImages } : {}),
  };
}

/** The branch's default folder. */
export function defaultBranchDir(trajectory: string, step: number): string {
  return path.join(path.dirname(trajectory), 'branches', `s${step}-${newRunId()}`);
}

/** The parent's events before `step`, and the annotations of those events that are in effect (not its label). */
function eventsBefore(events: readonly TrajectoryEvent[], active: readonly AnnotationEvent[], step: number): TrajectoryEvent[] {
  const copied = events.filter((e) => e.type !== 'annotation' && e.step >= 1 && e.step < step);
  const ids = new Set(copied.map((e) => e.id));
  const kept = new Set(
    active.filter((a) => {
      const edit = a.edit;
      switch (edit.op) {
        case 'set_box':
        case 'set_text':
          return ids.has(edit.target);
        case 'drop_step':
        case 'restore_step':
        case 'insert_reflection':
          return edit.target < step;
        case 'label':
        case 'revert':
          return false; // the branch gets its own verdict; reverted ones are not in effect
      }
    }),
  );
  return [...copied, ...events.filter((e): e is AnnotationEvent => e.type === 'annotation' && kept.has(e))];
}

/** The searches of each kind the conversation before `step` made: they count against the branch's limits. */
function searchesBefore(steps: readonly StepRecord[], step: number): Record<SearchKind, number> {
  const n = { image_search: 0, text_search: 0 };
  for (const s of steps) {
    const kind = s.action?.action.kind;
    if (s.step < step && (kind === 'image_search' || kind === 'text_search')) n[kind]++;
  }
  return n;
}

/** Reads the parent and builds what runQuery needs to continue it. Problems are QueryErrors (one line). */
async function plan(
  request: RerunRequest,
  runDir: string,
  notice: (line: string) => void,
): Promise<{ header: TrajectoryHeader; templates: PromptTemplates; image: string; continuation: Continuation }> {
  const file = path.resolve(request.trajectory);
  let loaded;
  try {
    loaded = await readAnnotatedTrajectory(file, { maxBytes: MAX_TRAJECTORY_BYTES });
  } catch (e) {
    throw new QueryError(e instanceof TrajectoryTooLarge ? e.message : `cannot read ${file}: ${oneLine(e)}`);
  }
  const header = loaded.header;
  if (!header) throw new QueryError(`${file} is not a trajectory: its first line is not a trajectory header`);
  if (loaded.problems.length)
    notice(`${loaded.problems.length} malformed line(s) of ${file} were skipped (line ${loaded.problems[0]!.line}: ${loaded.problems[0]!.message})`);
  const corrected = applyAnnotations(header, loaded.events);
  for (const p of corrected.problems) notice(p);
  const n = request.fromStep;
  const steps = stepsOf(corrected);
  const target = steps.find((s) => s.step === n);
  if (!target) {
    if (corrected.dropped.has(n)) throw new QueryError(`step ${n} is dropped in the corrected trajectory; restore it, or re-run from another step`);
    const numbers = steps.map((s) => s.step);
    throw new QueryError(`the run has no step ${n}${numbers.length ? ` (its steps are ${numbers[0]}–${numbers.at(-1)})` : ''}`);
  }
  if (!target.turn || !target.action)
    throw new QueryError(`step ${n} was not recorded whole (no ${target.turn ? 'action' : 'model turn'}), so it cannot be carried out again`);
  for (const s of staleSteps(loaded.events, corrected).filter((x) => x.step < n))
    notice(
      `step ${s.step}'s search was corrected after its results came back: the model sees the old results; re-run from step ${s.step} instead to search again`,
    );

  // The parent's own wording (from prompt files, say), as its header recorded it: the branch goes on as the parent's conversation went.
  const recorded = recordedTemplates(header);
  if (recorded.problem) notice(recorded.problem);
  const dialect = getDialect(header.model.dialect, recorded.templates);
  const rebuilt = rebuildConversation(header, steps, { dialect, inlineReasoning: false, before: n });
  if (!rebuilt.ok) throw new QueryError(rebuilt.error);
  const turn = turnOutput(header, target, dialect, false);
  if (!turn.ok) throw new QueryError(turn.error);

  // Every file is read from the parent's folder through RunAssets: nothing outside it.
  const parentDir = path.dirname(file);
  const assets = new RunAssets(parentDir);
  const read = async (rel: string, page = false): Promise<Buffer> => {
    const check = await assets.check(rel, page ? isRunPage : undefined);
    if (!check.ok) throw new QueryError(`cannot re-run: ${describeRefused(check).replace(/; not shown$/, '')}`);
    return assets.read(check);
  };
  const inline = new Map<string, string>();
  for (const m of rebuilt.value.messages)
    mapImages(m.message, (url) => {
      inline.set(url, '');
      return url;
    });
  for (const url of inline.keys()) inline.set(url, `data:image/jpeg;base64,${(await read(url.slice(ASSET_URL.length))).toString('base64')}`);
  const messages = rebuilt.value.messages.map((m) => mapImages(m.message, (url) => inline.get(url)!));

  const events = eventsBefore(loaded.events, corrected.active, n);
  const files: Continuation['files'] = [];
  for (const rel of referencedAssets(undefined, events)) files.push({ rel, data: await read(rel) });
  for (const e of events)
    if (e.type === 'observation') for (const r of e.results) if (r.page && isRunPage(r.page)) files.push({ rel: r.page, data: await read(r.page, true) });

  const sentRel = sentImagePath(header);
  const sentBytes = await read(sentRel);
  const image = await assets.check(header.image.path);
  if (!image.ok) throw new QueryError(`cannot re-run: the run's image ${describeRefused(image).replace(/; not shown$/, '')}`);
  return {
    header,
    templates: recorded.templates,
    image: image.file,
    continuation: {
      parent: { file: path.relative(runDir, file).split(path.sep).join('/'), id: header.id, step: n },
      sent: { data: sentBytes, width: header.image.sent.width, height: header.image.sent.height, mime: 'image/jpeg' },
      oriented: header.image.oriented,
      events,
      files,
      resume: { messages, step: n, turn: turn.value, searches: searchesBefore(steps, n) },
    },
  };
}

/**
 * Runs a branch of `request.trajectory` from `request.fromStep`. `settings` are the run
 * settings (endpoint, model, search…) and secrets; the question, gold answers, image, dialect,
 * box format and budget are the parent's. A branch that cannot start is a QueryError and
 * leaves nothing on disk.
 */
export async function rerunFromStep(
  settings: Omit<QuerySettings, 'image' | 'question' | 'runDir'>,
  request: RerunRequest,
  hooks: QueryHooks = {},
): Promise<RerunOutcome> {
  if (!Number.isInteger(request.fromStep) || request.fromStep < 1)
    throw new QueryError(`the step to re-run from must be a whole number from 1; got ${request.fromStep}`);
  const runDir = path.resolve(request.out ?? defaultBranchDir(request.trajectory, request.fromStep));
  const { header, templates, image, continuation } = await plan(request, runDir, (line) => hooks.onNotice?.(line));
  if (settings.dialect !== header.model.dialect || settings.boxFormat !== header.model.boxFormat)
    throw new QueryError(
      `a branch continues its parent's conversation, in its dialect ${header.model.dialect} with ${header.model.boxFormat} boxes; got ${settings.dialect} with ${settings.boxFormat}`,
    );
  if (settings.maxTurns < request.fromStep)
    throw new QueryError(`max turns (${settings.maxTurns}) is below the step to re-run from (${request.fromStep}); allow more turns`);
  const run: QuerySettings = {
    ...settings,
    image,
    question: header.question,
    runDir,
    ...(header.gold?.length ? { gold: header.gold } : {}),
    ...(header.dataset ? { dataset: header.dataset } : {}),
    ...(header.sampleId ? { sampleId: header.sampleId } : {}),
    note: `branch of ${header.id} from step ${request.fromStep}`,
  };
  // The parent's prompts, not the prompts folder of these settings: the record says what the parent was told.
  const prompts = Object.keys(templates).length ? { templates, files: {}, sha256: header.prompts?.sha256 ?? '', folder: header.prompts!.source } : null;
  const outcome = await runQuery(run, hooks, { prompts }, continuation);
  return { ...outcome, branch: outcome.trajectory };
}

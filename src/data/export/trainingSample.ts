// One trajectory file as a training sample, before any format: its corrected conversation
// (applyAnnotations, dropped steps left out, edited turns written anew, evidence as the
// agent rendered it), or why it is not one. Formats (llamaFactory.ts, openaiChat.ts) then
// write the same conversation their way, so they can never disagree about what was said.
import * as path from 'node:path';
import { applyAnnotations, teamVerdict, type LabelState } from '../../core/annotations';
import { readAnnotatedTrajectory } from '../../core/annotationFiles';
import { rebuildConversation, stepsOf, type Conversation } from '../../core/conversation';
import { getDialect } from '../../core/dialects';
import { recordedTemplates } from '../../core/dialects/recordedPrompts';
import { staleSteps } from '../../core/staleness';
import type { DialectId, TrajectoryHeader } from '../../core/trajectory';

/**
 * Why a trajectory was left out. `conflict`: its annotators disagree and no adjudicator has
 * decided; `few-annotators`: fewer annotators labelled it than --min-annotators asks.
 */
export type SkipReason = 'unlabeled' | 'needs-fix' | 'rejected' | 'conflict' | 'few-annotators' | 'stale' | 'failed';

export interface TrainingSample {
  file: string;
  runDir: string;
  header: TrajectoryHeader;
  label: LabelState;
  /** The dialect the conversation is written in. */
  dialect: DialectId;
  conversation: Conversation;
  /** Steps kept, and the gaze crops of those steps (paths in the run folder). */
  steps: number;
  crops: string[];
}

export type Prepared = { ok: true; sample: TrainingSample } | { ok: false; reason: SkipReason; message: string };

export interface PrepareOptions {
  /** Rejected trajectories too (accepted ones always). */
  includeRejected: boolean;
  /** Write every turn in this dialect instead of the run's. */
  dialect?: DialectId;
  /** Trajectories larger than this are refused (they are read whole). */
  maxBytes?: number;
  /** Only trajectories labelled by at least this many annotators (adjudicators aside). */
  minAnnotators?: number;
}

/** A trajectory file is read whole; no real run comes near this. */
export const MAX_TRAJECTORY_BYTES = 256 * 1024 * 1024;

export async function prepareSample(file: string, options: PrepareOptions): Promise<Prepared> {
  const fail = (message: string): Prepared => ({ ok: false, reason: 'failed', message });
  let loaded;
  try {
    loaded = await readAnnotatedTrajectory(file, { maxBytes: options.maxBytes ?? MAX_TRAJECTORY_BYTES });
  } catch (e) {
    return fail(`cannot be read: ${(e as Error).message.split('\n')[0]}`);
  }
  const header = loaded.header;
  if (!header) return fail('is not a trajectory: its first line is not a trajectory header');
  // A broken line may be an annotation: training on a half-read correction is worse than not at all.
  const broken = loaded.problems[0];
  if (broken) return fail(`has ${loaded.problems.length} malformed line(s) (line ${broken.line}: ${broken.message})`);
  const corrected = applyAnnotations(header, loaded.events);
  // The adjudicated verdict, else the one every annotator gave; disagreement is not training data.
  const verdict = teamVerdict(corrected);
  const min = options.minAnnotators ?? 0;
  if (verdict.annotators < min)
    return { ok: false, reason: 'few-annotators', message: `is labelled by ${verdict.annotators} annotator(s), fewer than --min-annotators ${min}` };
  let label: LabelState;
  switch (verdict.kind) {
    case 'unlabelled':
      return { ok: false, reason: 'unlabeled', message: 'has no label' };
    case 'conflict':
      return {
        ok: false,
        reason: 'conflict',
        message: `has conflicting verdicts (${verdict.labels.map((l) => `${l.author ?? 'unnamed'}: ${l.label}`).join(', ')}); an adjudicator settles it with gog label ${file} VERDICT --adjudicate`,
      };
    case 'adjudicated':
    case 'agreed':
      label = verdict.label;
      break;
    default: {
      const never: never = verdict;
      return fail(`has a verdict of no known kind (${JSON.stringify(never)})`);
    }
  }
  if (label.label === 'needs-fix') return { ok: false, reason: 'needs-fix', message: 'is labelled needs-fix' };
  if (label.label === 'rejected' && !options.includeRejected) return { ok: false, reason: 'rejected', message: 'is labelled rejected' };
  if (corrected.problems.length) return fail(`has annotations that could not be applied (${corrected.problems[0]})`);
  const stale = staleSteps(loaded.events, corrected)[0];
  if (stale) {
    return {
      ok: false,
      reason: 'stale',
      message: `has stale evidence: step ${stale.step}'s search was corrected after its results came back; re-run it from that step (gog rerun ${file} --from-step ${stale.step})`,
    };
  }
  const steps = stepsOf(corrected);
  const last = steps.at(-1)?.action?.action;
  if (last?.kind !== 'answer') return fail('does not end with an answer (a training sample ends with the model’s answer)');
  // In the run's own dialect, the run's own wording (prompt files it was given, as its header recorded them); another dialect speaks its own.
  const id = options.dialect ?? header.model.dialect;
  const dialect = getDialect(id, id === header.model.dialect ? recordedTemplates(header).templates : undefined);
  const rebuilt = rebuildConversation(header, steps, { dialect, inlineReasoning: true });
  if (!rebuilt.ok) return fail(`cannot be written in the ${dialect.id} format: ${rebuilt.error}`);
  const crops = steps.flatMap((s) => (s.action?.action.kind === 'image_search' && s.action.action.crop ? [s.action.action.crop] : []));
  return {
    ok: true,
    sample: { file, runDir: path.dirname(file), header, label, dialect: dialect.id, conversation: rebuilt.value, steps: steps.length, crops },
  };
}

// `gog label TRAJECTORY accepted|rejected|needs-fix [--note TEXT] [--tag T]... [--annotator NAME]
// [--adjudicate]`: the verdict on a trajectory, from a script, by a named annotator, checked
// against the project's label scheme (labelScheme.ts; error categories are tags). One
// annotation event appended to the annotator's own file beside the trajectory
// (annotationFiles.ts); nothing written over.
import * as path from 'node:path';
import { oneLine } from '../core/agent';
import { annotationsFolderOf, annotatorFileOf, AnnotatorFileRefused } from '../core/annotationFiles';
import { LABELS, type Label } from '../core/trajectory';
import { annotatorNameProblem, AnnotatorNameError, defaultAnnotator } from '../data/annotatorName';
import { findLabelScheme, labelProblem, LabelSchemeError } from '../data/labelScheme';
import { appendAnnotatorAnnotation, NotATrajectory } from '../run/annotate';
import { relativeToCwd, UsageError, type Io } from './io';
import { parseCommandArgs } from './args';
import { LABEL } from './commands';

/** The annotator named, else the default (GOG_ANNOTATOR, git user.name, the account's name); a UsageError when there is none. */
async function annotatorFor(given: string | undefined, trajectory: string): Promise<string> {
  if (given !== undefined) {
    const problem = annotatorNameProblem(given);
    if (problem) throw new UsageError(`--annotator ${problem}; give the annotator's name`);
    return given;
  }
  let name: string | undefined;
  try {
    name = await defaultAnnotator(path.dirname(trajectory));
  } catch (e) {
    if (e instanceof AnnotatorNameError) throw new UsageError(e.message);
    throw e;
  }
  if (!name) throw new UsageError('no annotator name: give --annotator NAME, or set GOG_ANNOTATOR or git config user.name');
  return name;
}

export async function runLabel(argv: string[], io: Io, cwd: string): Promise<number> {
  const parsed = parseCommandArgs(argv, LABEL);
  const [file, label, ...extra] = parsed.positionals;
  if (!file || !label || extra.length) throw new UsageError(`give a trajectory file and a label: gog label TRAJECTORY ${LABELS.join('|')}`);
  if (!(LABELS as readonly string[]).includes(label)) throw new UsageError(`unknown label "${label}"; use ${LABELS.join(', ')}`);
  const tags = (parsed.values.tag ?? []).map((t) => t.trim()).filter(Boolean);
  const note = parsed.values.note?.trim();
  const adjudicated = !!parsed.values.adjudicate;
  const trajectory = path.resolve(cwd, file);
  const annotator = await annotatorFor(parsed.values.annotator, trajectory);
  // The project's scheme (.gog/labels.json): its verdicts, its error categories as tags, the reasons it asks for.
  const scheme = await findLabelScheme(path.dirname(trajectory)).catch((e: unknown) => {
    throw e instanceof LabelSchemeError ? new UsageError(e.message) : e;
  });
  const problem = labelProblem(scheme, label, tags, note);
  if (problem) throw new UsageError(problem);
  try {
    const edit = {
      op: 'label',
      label: label as Label,
      ...(note ? { note } : {}),
      ...(tags.length ? { tags } : {}),
      ...(adjudicated ? { adjudicated } : {}),
    } as const;
    const event = await appendAnnotatorAnnotation(trajectory, edit, annotator);
    const where = path
      .relative(path.dirname(annotationsFolderOf(trajectory)), annotatorFileOf(trajectory, annotator))
      .split(path.sep)
      .join('/');
    io.stdout(
      `${relativeToCwd(trajectory)}: ${label}${tags.length ? ` [${tags.join(', ')}]` : ''}${adjudicated ? ', adjudicated' : ''} by ${annotator} (annotation ${event.id} in ${where})`,
    );
    return 0;
  } catch (e) {
    io.stderr(`gog: ${e instanceof NotATrajectory || e instanceof AnnotatorFileRefused ? e.message : oneLine(e)}`);
    return 1;
  }
}

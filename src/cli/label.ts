// `gog label TRAJECTORY accepted|rejected|needs-fix [--note TEXT] [--tag T]...`: the verdict
// on a trajectory, from a script. One annotation event appended; nothing written over.
import * as path from 'node:path';
import { oneLine } from '../core/agent';
import { LABELS, type Label } from '../core/trajectory';
import { appendAnnotation, NotATrajectory } from '../run/annotate';
import { relativeToCwd, UsageError, type Io } from './ask';
import { parseCommandArgs } from './args';
import { LABEL } from './commands';

export async function runLabel(argv: string[], io: Io, cwd: string): Promise<number> {
  const parsed = parseCommandArgs(argv, LABEL);
  const [file, label, ...extra] = parsed.positionals;
  if (!file || !label || extra.length) throw new UsageError(`give a trajectory file and a label: gog label TRAJECTORY ${LABELS.join('|')}`);
  if (!(LABELS as readonly string[]).includes(label)) throw new UsageError(`unknown label "${label}"; use ${LABELS.join(', ')}`);
  const tags = (parsed.values.tag ?? []).map((t) => t.trim()).filter(Boolean);
  const note = parsed.values.note?.trim();
  const trajectory = path.resolve(cwd, file);
  try {
    const event = await appendAnnotation(trajectory, { op: 'label', label: label as Label, ...(note ? { note } : {}), ...(tags.length ? { tags } : {}) });
    io.stdout(`${relativeToCwd(trajectory)}: ${label}${tags.length ? ` [${tags.join(', ')}]` : ''} (annotation ${event.id})`);
    return 0;
  } catch (e) {
    io.stderr(`gog: ${e instanceof NotATrajectory ? e.message : oneLine(e)}`);
    return 1;
  }
}

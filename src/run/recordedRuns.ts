// Recorded runs: trajectories whose model turns the replay endpoint can serve again,
// each read once for both its header (the question, image and settings it ran with) and
// its turns.
import { oneLine } from '../core/agent';
import { formatProblem } from '../core/jsonl';
import type { TrajectoryHeader } from '../core/trajectory';
import { readTrajectory, type LoadedTrajectory } from '../core/trajectoryFile';
import { recordingFromTrajectory, type Recording } from '../model/replayServer';

export interface RecordedRun {
  file: string;
  header: TrajectoryHeader;
  recording: Recording;
  /** The whole record (its searches are served too). */
  trajectory: LoadedTrajectory;
}

/**
 * Malformed lines are reported through `warn` and skipped; a file that cannot be read, or
 * has no header or no model turn, is an error whose message is one line.
 */
export async function loadRecordedRuns(files: readonly string[], warn: (line: string) => void): Promise<RecordedRun[]> {
  const runs: RecordedRun[] = [];
  for (const file of files) {
    let loaded;
    try {
      loaded = await readTrajectory(file);
    } catch (e) {
      throw new Error(`cannot read ${file}: ${oneLine(e)}`, { cause: e });
    }
    for (const p of loaded.problems) warn(`${formatProblem(file, p)} (skipped)`);
    const recording = recordingFromTrajectory(loaded); // throws without a header or turns
    runs.push({ file, header: loaded.header!, recording, trajectory: loaded });
  }
  return runs;
}

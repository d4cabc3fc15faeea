// The runs of one dataset in a runs folder (.gog/runs/): those Run Benchmark… can take up.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readBenchMeta, type BenchMeta } from '../data/benchRun';

/** Folders looked at, at most: a runs folder of thousands is not read in full to list a few. */
const MAX_FOLDERS = 500;

export interface DatasetRun {
  dir: string;
  meta: BenchMeta;
}

/** The run folders directly under `runsDir` whose bench.json names `dataset` (its resolved path), newest first. */
export async function runsOfDataset(runsDir: string, dataset: string): Promise<DatasetRun[]> {
  let names: string[];
  try {
    names = (await fs.readdir(runsDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
  const wanted = path.resolve(dataset);
  const found: DatasetRun[] = [];
  for (const name of names.sort().reverse().slice(0, MAX_FOLDERS)) {
    const dir = path.join(runsDir, name);
    try {
      const meta = await readBenchMeta(dir);
      if (path.resolve(meta.dataset.file) === wanted) found.push({ dir, meta });
    } catch {
      // Not a run (or a sharded run's parent folder): not offered.
    }
  }
  return found.sort((a, b) => b.meta.started.localeCompare(a.meta.started));
}

// A benchmark sample as every layout maps to it: one question about one image, with the
// gold answers (aliases), where it came from in the file, how to group it, and what its
// benchmark's own measure needs to score it.
import type { OfficialTruth } from '../scoring/official';

/** Where a sample's image is: a file inside the dataset folder, bytes in the record, or a URL. */
export type ImageRef = { kind: 'file'; path: string } | { kind: 'bytes'; data: Buffer } | { kind: 'url'; url: string };

export interface DatasetSample {
  /** Position among the samples the file yields (0-based): resuming, sharding and merging key on it. */
  index: number;
  /** The dataset's own id, or the position when it has none. */
  id: string;
  question: string;
  /** Gold answers: any of them counts. */
  gold: string[];
  image: ImageRef;
  benchmark: string;
  category?: string;
  /** How its benchmark scores it (the layout's measure, or `--scorer`): exact match when unset. */
  truth?: OfficialTruth;
  /** Where in the file it came from: `line 12` (JSONL, 1-based) or `record 5` (JSON, Parquet; 0-based). */
  where: string;
}

/** A record that yields no sample, and why; the rest still run. */
export interface DatasetProblem {
  where: string;
  message: string;
  /** The benchmark whose own measure counts this record as 0 (MMSearch's text-only queries). */
  notRun?: string;
}

// A benchmark's settings: a sample's time limit, and how the RL export weighs and levels
// queries. Declared once here; src/run/settingsSpec.ts derives the rest.
import type { SettingDeclOf } from '../core/settingDecl';

/** The benchmark part of a run's settings. */
export interface BenchRunSettings {
  /** A benchmark sample's time limit, all turns included. */
  sampleTimeoutMs: number;
  /** λ of the RL reward (1−λ)·accuracy + λ·format. */
  formatWeight: number;
  /** A query whose pass rate over its rollouts is below this is Level 2 (hard). */
  hardPassRate: number;
}

export const BENCH_SETTINGS: readonly SettingDeclOf<keyof BenchRunSettings>[] = [
  {
    key: 'sampleTimeoutMs',
    name: 'bench.sampleTimeoutSeconds',
    flag: 'sample-timeout',
    label: 'the sample time limit',
    type: 'number',
    default: 600,
    min: 1,
    max: 86_400,
    unit: 'seconds',
    scale: 1000,
    description: 'Benchmarks: the most one sample may take, all its turns and searches included. A sample past it stops and is recorded as timed out.',
    help: 'benchmarks: seconds one sample may take, all turns included',
  },
  {
    key: 'formatWeight',
    name: 'bench.formatWeight',
    flag: 'format-weight',
    label: 'the format weight',
    type: 'number',
    default: 0.1,
    min: 0,
    max: 1,
    description: 'Benchmarks: λ in the reward (1−λ)·accuracy + λ·format recorded for every sample, where format is 1 when every turn was read as an action.',
    help: 'benchmarks: λ in the reward (1−λ)·accuracy + λ·format',
  },
  {
    key: 'hardPassRate',
    name: 'bench.hardPassRate',
    flag: 'hard-pass-rate',
    label: 'the hard pass rate',
    type: 'number',
    default: 0.5,
    min: 0,
    max: 1,
    description:
      'Benchmarks with rollouts: a query whose pass rate over its rollouts is below this is Level 2 (hard), the rest Level 1 (easy). `gog export-rl` writes the Level 2 queries.',
    help: 'benchmarks: a pass rate below this makes a query Level 2 (hard)',
  },
];

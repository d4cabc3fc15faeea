// Complexity levels (GoG's complexity-adaptive RL): a query's pass rate over its K
// rollouts, Level 2 (hard) when it is below a threshold, else Level 1 (easy). Right is the
// benchmark's own measure (results.ts isRight).
import { isRight, type SampleResult } from './results';

export interface QueryLevel {
  index: number;
  id: string;
  benchmark: string;
  rollouts: number;
  passRate: number;
  level: 1 | 2;
}

export function queryLevels(results: readonly SampleResult[], threshold: number): QueryLevel[] {
  const byIndex = new Map<number, SampleResult[]>();
  for (const r of results) {
    let list = byIndex.get(r.index);
    if (!list) byIndex.set(r.index, (list = []));
    list.push(r);
  }
  return [...byIndex]
    .sort(([a], [b]) => a - b)
    .map(([index, rs]) => {
      const passRate = Math.round((rs.filter(isRight).length / rs.length) * 10000) / 10000;
      return { index, id: rs[0]!.id, benchmark: rs[0]!.benchmark, rollouts: rs.length, passRate, level: passRate < threshold ? 2 : 1 };
    });
}

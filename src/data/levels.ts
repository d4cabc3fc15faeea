// Complexity levels (GoG's complexity-adaptive RL): a query's pass rate over its K
// rollouts, Level 2 (hard) when it is below a threshold, else Level 1 (easy). Right is the
// benchmark's own measure (results.ts isRight).
import { isEndpointError, isRight, type SampleResult } from './results';

export interface QueryLevel {
  index: number;
  id: string;
  benchmark: string;
  rollouts: number;
  passRate: number;
  level: 1 | 2;
}

/**
 * Each query's pass rate over its rollouts that ended on the model's own: a rollout the
 * endpoint failed (isEndpointError) says nothing of how hard the query is, and is left out;
 * a query with no other rollout has no level yet (its rollouts run again on resume).
 */
export function queryLevels(results: readonly SampleResult[], threshold: number): QueryLevel[] {
  const byIndex = new Map<number, SampleResult[]>();
  for (const r of results) {
    if (isEndpointError(r)) continue;
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

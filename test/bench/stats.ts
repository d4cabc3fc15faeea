// What every part of the bench shares: the median it reports, and the row it prints with.

/** One printed line: a figure, its target, and the figure's ratio to the target when there is one. */
export type Row = (label: string, value: string, target: string, ratio?: number) => void;

/** The middle value; with an even count, the mean of the two middle ones. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

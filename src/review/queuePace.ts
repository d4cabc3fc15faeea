// The pace of one annotator's session over a review queue: labels given since the queue was
// opened, over the time spent on it (gaps longer than IDLE_GAP_MS, a lunch or a meeting,
// count as IDLE_GAP_MS), and the time the rest would take at that pace. Pure: the caller
// gives the clock, so a test can walk it.

/** A gap between two labels longer than this is a pause, not work. */
export const IDLE_GAP_MS = 5 * 60_000;

export interface PaceSummary {
  reviewed: number;
  total: number;
  /** Labels given in this session. */
  labelled: number;
  /** Active time of the session. */
  activeMs: number;
  /** Labels per hour of active time; undefined before the first label. */
  perHour: number | undefined;
  /** At that pace, the time the unreviewed rest takes; undefined without a pace, 0 when all are done. */
  leftMs: number | undefined;
}

export class QueuePace {
  private labelled = 0;
  private activeMs = 0;
  private last: number;

  constructor(startedAt: number) {
    this.last = startedAt;
  }

  /** A trajectory of the queue got its first label at `at`. */
  labelGiven(at: number): void {
    this.activeMs += activeGap(this.last, at);
    this.last = Math.max(this.last, at);
    this.labelled++;
  }

  summary(reviewed: number, total: number, now: number): PaceSummary {
    // Time since the last label counts too (the annotator is on the next one), up to a pause.
    const activeMs = this.activeMs + activeGap(this.last, now);
    const perHour = this.labelled && activeMs > 0 ? (this.labelled * 3_600_000) / activeMs : undefined;
    const left = Math.max(0, total - reviewed);
    const leftMs = left === 0 ? 0 : perHour ? (left / perHour) * 3_600_000 : undefined;
    return { reviewed, total, labelled: this.labelled, activeMs, perHour, leftMs };
  }
}

function activeGap(from: number, to: number): number {
  return Math.min(Math.max(0, to - from), IDLE_GAP_MS);
}

/** "under a minute", "12 min", "3 h 05 min". */
export function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** The status bar's text: "3/10 reviewed · 42/h · 10 min left". */
export function paceText(s: PaceSummary): string {
  const count = `${s.reviewed.toLocaleString('en')}/${s.total.toLocaleString('en')} reviewed`;
  if (s.leftMs === 0) return `${count} · done`;
  if (s.perHour === undefined) return `${count} · pace after the first label`;
  return `${count} · ${Math.round(s.perHour)}/h · ${formatDuration(s.leftMs!)} left`;
}

/** The status bar's tooltip: what each number is. */
export function paceTooltip(s: PaceSummary): string {
  const lines = [
    `Review queue: ${s.reviewed.toLocaleString('en')} of ${s.total.toLocaleString('en')} trajectories reviewed (labelled).`,
    `This session: ${s.labelled} labelled in ${formatDuration(s.activeMs)} of active time (a pause over ${IDLE_GAP_MS / 60_000} min between labels counts as ${IDLE_GAP_MS / 60_000} min).`,
  ];
  if (s.perHour !== undefined)
    lines.push(`Pace: ${s.perHour.toFixed(1)} labels per hour; the ${s.total - s.reviewed} left take ${formatDuration(s.leftMs ?? 0)} at this pace.`);
  lines.push('Click to show the queue.');
  return lines.join('\n');
}

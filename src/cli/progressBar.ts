// Progress of a benchmark on the terminal: on a TTY one line redrawn in place (a bar, done
// of total, rate, time left, accuracy so far); elsewhere (a log, a CI job, a pod) a plain
// line every tenth of the way or every 30 seconds, whichever comes first.
import type { BenchProgress } from '../run/bench';

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function progressText(p: BenchProgress, barWidth: number): string {
  const share = p.total ? p.done / p.total : 1;
  const filled = Math.round(share * barWidth);
  const bar = barWidth > 0 ? `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ` : '';
  const fresh = p.done - p.resumed;
  const acc = p.done ? ` · right ${((100 * p.correct) / p.done).toFixed(1)}%` : '';
  const rate = fresh > 0 ? ` · ${p.rate >= 1 ? p.rate.toFixed(1) : p.rate.toFixed(2)}/s` : '';
  const eta = p.etaMs !== undefined && p.done < p.total ? ` · ETA ${formatDuration(p.etaMs)}` : '';
  const errors = p.errors ? ` · ${p.errors} failed` : '';
  return `${bar}${p.done}/${p.total} ${Math.floor(share * 100)}%${rate}${eta}${acc}${errors} · ${p.running} running`;
}

export interface ProgressDisplay {
  update(p: BenchProgress): void;
  /** Ends the display (the TTY line is finished with a newline). */
  end(): void;
}

export function progressDisplay(write: (text: string) => void, options: { tty: boolean; width: number; now?: () => number }): ProgressDisplay {
  const now = options.now ?? Date.now;
  let last: BenchProgress | undefined;
  let drawn = 0;
  let shownTenth = -1;
  let lineAt = now();
  let onScreen = false;
  return {
    update(p) {
      last = p;
      const t = now();
      if (options.tty) {
        if (t - drawn < 100 && p.done < p.total) return;
        drawn = t;
        const text = progressText(p, Math.max(10, Math.min(30, options.width - 80)));
        write(`\r${text.slice(0, Math.max(20, options.width - 1)).padEnd(Math.max(20, options.width - 1))}`);
        onScreen = true;
        return;
      }
      const tenth = p.total ? Math.floor((10 * p.done) / p.total) : 10;
      if (tenth > shownTenth || t - lineAt >= 30_000) {
        shownTenth = tenth;
        lineAt = t;
        write(`gog bench: ${progressText(p, 0)}\n`);
      }
    },
    end() {
      if (options.tty && onScreen && last) write(`\r${progressText(last, Math.max(10, Math.min(30, options.width - 80)))}\n`);
    },
  };
}

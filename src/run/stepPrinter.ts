// Readable steps for a terminal: turn, action, box, evidence titles, answer. Text from the
// model and the web is untrusted: control characters (terminal escapes) are removed.
import type { AgentEvent } from '../core/agent';
import type { TrajectoryEvent } from '../core/trajectory';

export function terminalSafe(text: string): string {
  // Control characters (\p{Cc}) but tab and newline, zero-width and bidirectional marks.
  return text.replace(/(?![\t\n])[\p{Cc}\u200b-\u200f\u202a-\u202e\u2066-\u2069]/gu, ' ');
}

function clip(text: string, max: number): string {
  const flat = terminalSafe(text).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export interface PrinterOptions {
  write: (line: string) => void;
  width?: number;
  color?: boolean;
}

export function createStepPrinter(options: PrinterOptions): (event: AgentEvent) => void {
  const width = Math.max(60, Math.min(options.width ?? 100, 160));
  const paint = (code: string, s: string) => (options.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const line = (step: number, label: string, text: string, code = '0') =>
    options.write(`${paint('2', `[${step}]`.padStart(5))} ${paint(code, label.padEnd(8))}${clip(text, width - 15)}`);
  const indent = (text: string) => options.write(`${' '.repeat(14)}${clip(text, width - 14)}`);

  return (agentEvent: AgentEvent) => {
    if (agentEvent.kind !== 'record') return;
    const e: TrajectoryEvent = agentEvent.event;
    switch (e.type) {
      case 'reflection':
        return line(e.step, e.kind, e.text, '36');
      case 'action': {
        const a = e.action;
        if (a.kind === 'answer') return line(e.step, 'answer', a.text, '1;32');
        if (a.kind === 'text_search') return line(e.step, 'search', `text: "${a.query}"`, '33');
        if (a.kind === 'parse_error') return line(e.step, 'invalid', a.message, '31');
        if (a.scope === 'full' || !a.box) return line(e.step, 'glance', 'reverse image search on the whole image', '33');
        const o = a.box.original;
        return line(e.step, 'gaze', `box [${a.box.model.join(', ')}] → pixels [${o.join(', ')}] (${o[2] - o[0]}×${o[3] - o[1]}), searching the crop`, '33');
      }
      case 'observation':
        if (e.error) return indent(paint('31', `search failed: ${e.error}`));
        if (!e.results.length) return indent('no results');
        for (const r of e.results) indent(`${r.rank}. ${r.title}${e.cached ? '  (cached)' : ''}`);
        return;
      case 'notice':
        return line(e.step, 'note', e.message, '35');
      case 'final': {
        const seconds = (e.ms / 1000).toFixed(1);
        if (e.stopReason === 'answered') {
          const score = e.score ? `, exact match ${e.score.exactMatch}, F1 ${e.score.f1}` : '';
          return line(e.step, 'done', `answered in ${e.turns} turn${e.turns === 1 ? '' : 's'} (${seconds} s${score})`, '32');
        }
        return line(e.step, 'stopped', `${e.stopReason.replace('_', ' ')}${e.error ? `: ${e.error}` : ''} (${seconds} s)`, '31');
      }
      default:
        return;
    }
  };
}

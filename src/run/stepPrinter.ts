// Readable steps for a terminal: turn, action, box, evidence titles, answer. Text from the
// model and the web is untrusted: every line is a TerminalLine, whose parts are cleaned of
// control characters (terminal escapes); the colours are ours, and the sink decides on them.
import type { AgentEvent } from '../core/agent';
import { TerminalLine, type Style } from '../core/terminalText';
import type { TrajectoryEvent } from '../core/trajectory';

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  // Not between the halves of a surrogate pair (an emoji).
  const end = /[\uD800-\uDBFF]/.test(flat.charAt(max - 2)) ? max - 2 : max - 1;
  return `${flat.slice(0, end)}…`;
}

export interface PrinterOptions {
  write: (line: TerminalLine) => void;
  width?: number;
}

export function createStepPrinter(options: PrinterOptions): (event: AgentEvent) => void {
  const width = Math.max(60, Math.min(options.width ?? 100, 160));
  const line = (step: number, label: string, text: string, style: Style = '0') =>
    options.write(TerminalLine.of([{ style: '2', text: `[${step}]`.padStart(5) }, ' ', { style, text: label.padEnd(8) }, clip(text, width - 15)]));
  const indent = (text: string, style: Style = '0') => options.write(TerminalLine.of([' '.repeat(14), { style, text: clip(text, width - 14) }]));

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
        if (e.error) return indent(`search failed: ${e.error}`, '31');
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

// Entry point of the run review bundle: one benchmark run (the failures table and its
// charts), runs compared, or one sample's trajectories in two runs side by side, whichever
// the host sends. Inside VS Code it talks to the
// extension; in a standalone report (`gog report RUN_DIR`) the run is embedded in the page.
import '../zodConfig';
import { runsHostMessageSchema, type RunsHostMessage } from '../../src/shared/runsMessages';
import { CompareView } from './compareView';
import { DiffView } from './diffView';
import { connectRunsHost } from './host';
import { RunView } from './runView';

const root = document.getElementById('app')!;
const host = connectRunsHost();
let runView: RunView | undefined;
let compareView: CompareView | undefined;
let diffView: DiffView | undefined;

function handle(message: RunsHostMessage): void {
  switch (message.type) {
    case 'run':
    case 'rows':
      runView ??= new RunView(root, host);
      return runView.handle(message);
    case 'select':
      return runView?.reveal(message.key);
    case 'found':
    case 'findDone':
      return runView?.found(message);
    case 'compare':
      compareView ??= new CompareView(root, host);
      return compareView.handle(message);
    case 'diff':
      diffView ??= new DiffView(root, host);
      return diffView.handle(message);
    case 'exportTable':
      return void runView?.exportTable();
    case 'response':
      return host.resolve(message.requestId, message.ok, message.error, message.divergence);
    default: {
      const never: never = message;
      console.warn('gog: a message this view does not show', never);
    }
  }
}

const embedded = document.getElementById('gog-report');
if (embedded) {
  const data = JSON.parse(embedded.textContent ?? '{}') as { message: unknown };
  handle(runsHostMessageSchema.parse(data.message));
} else {
  window.addEventListener('message', (event: MessageEvent) => {
    const parsed = runsHostMessageSchema.safeParse(event.data);
    if (!parsed.success) {
      console.warn('gog: ignored a message that is not part of the protocol', parsed.error.issues[0]);
      return;
    }
    handle(parsed.data);
  });
  host.post({ type: 'ready' });
}

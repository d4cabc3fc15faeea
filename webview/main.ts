// Entry point of the webview bundle. Inside VS Code it talks to the extension; in a
// standalone report (`gog report`) the trajectory and its images are embedded in the page.
// Either way the host says which images may be shown (run-folder path → URL); a path the
// host did not list is never resolved, whatever the record says.
import type { HostMessage } from '../src/shared/messages';
import { checkHostMessage } from '../src/shared/protocolChecks';
import { isWebUrl } from '../src/shared/webUrl';
import { TrajectoryApp } from './app';
import { connectHost } from './host';

const root = document.getElementById('app')!;
const host = connectHost();
const embedded = document.getElementById('gog-report');
const assets = new Map<string, string>();
const refused = new Map<string, string>();

function learnAssets(message: HostMessage): void {
  if (message.type === 'init') {
    assets.clear();
    refused.clear();
  }
  if (message.type !== 'init' && message.type !== 'events') return;
  for (const [rel, url] of Object.entries(message.assets ?? {})) assets.set(rel, url);
  for (const [rel, reason] of Object.entries(message.refused ?? {})) refused.set(rel, reason);
}

const app = new TrajectoryApp(
  root,
  host,
  {
    url: (rel) => (rel ? assets.get(rel) : undefined),
    refusal: (rel) => (rel ? refused.get(rel) : undefined),
    refusals: () => [...refused],
  },
  embedded
    ? (url) => {
        if (isWebUrl(url)) window.open(url, '_blank', 'noopener,noreferrer');
      }
    : (url) => {
        if (isWebUrl(url)) host.request({ method: 'openExternal', url }).catch(() => undefined);
      },
);

if (embedded) {
  const data = JSON.parse(embedded.textContent ?? '{}') as { init: unknown };
  const init = checkHostMessage(data.init);
  if (!init.ok) throw new Error(`gog: the report's trajectory is not what the protocol says: ${init.error}`);
  learnAssets(init.value);
  app.handle(init.value);
} else {
  window.addEventListener('message', (event: MessageEvent) => {
    const checked = checkHostMessage(event.data);
    if (!checked.ok) {
      console.warn('gog: ignored a message that is not part of the protocol', checked.error);
      return;
    }
    learnAssets(checked.value);
    app.handle(checked.value);
  });
  host.post({ type: 'ready' });
}

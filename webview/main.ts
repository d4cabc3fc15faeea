// Entry point of the webview bundle. Inside VS Code it talks to the extension, and its first
// message usually comes inside the page (`gog-init`), drawn before saying `ready`; what the
// host posts after `ready` follows it. In a standalone report (`gog report`) the trajectory
// and its images are embedded (`gog-report`) and nothing listens. Either way the host says
// which images may be shown (run-folder path → URL); a path the host did not list is never
// resolved, whatever the record says.
import type { HostMessage } from '../src/shared/messages';
import { EMBEDDED_INIT_ID } from '../src/shared/pageData';
import { checkHostMessage } from '../src/shared/protocolChecks';
import { isWebUrl } from '../src/shared/webUrl';
import { TrajectoryApp } from './app';
import { connectHost } from './host';

/** Runs once the page is parsed: the bundle is loaded deferred, and the first message sits in the body. */
function start(): void {
  const root = document.getElementById('app')!;
  const host = connectHost();
  const report = document.getElementById('gog-report');
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
    report
      ? (url) => {
          if (isWebUrl(url)) window.open(url, '_blank', 'noopener,noreferrer');
        }
      : (url) => {
          if (isWebUrl(url)) host.request({ method: 'openExternal', url }).catch(() => undefined);
        },
  );

  /** The first message carried by the page, checked like any posted one; the data block is dropped once read. */
  function embeddedInit(block: HTMLElement): HostMessage {
    const data = JSON.parse(block.textContent ?? '{}') as { init: unknown };
    block.remove();
    const init = checkHostMessage(data.init);
    if (!init.ok) throw new Error(`gog: the page's trajectory is not what the protocol says: ${init.error}`);
    return init.value;
  }

  function show(message: HostMessage): void {
    learnAssets(message);
    app.handle(message);
  }

  if (report) show(embeddedInit(report));
  else {
    const first = document.getElementById(EMBEDDED_INIT_ID);
    try {
      if (first) show(embeddedInit(first));
    } finally {
      // Whatever became of it, the host must hear `ready` to send the rest.
      window.addEventListener('message', (event: MessageEvent) => {
        const checked = checkHostMessage(event.data);
        if (!checked.ok) {
          console.warn('gog: ignored a message that is not part of the protocol', checked.error);
          return;
        }
        show(checked.value);
      });
      host.post({ type: 'ready' });
    }
  }
}

// `defer` already waits for the parse; a host that writes the page in an odd way may not.
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();

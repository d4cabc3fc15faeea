// Entry point of the webview bundle. Inside VS Code it talks to the extension; in a
// standalone report (`gog report`) the trajectory and its images are embedded in the page.
import './zodConfig';
import { hostMessageSchema, isRunAsset, isWebUrl } from '../src/shared/messages';
import { TrajectoryApp } from './app';
import { connectHost } from './host';

const root = document.getElementById('app')!;
const host = connectHost();
const embedded = document.getElementById('gog-report');

if (embedded) {
  const data = JSON.parse(embedded.textContent ?? '{}') as { init: unknown; assets: Record<string, string> };
  const app = new TrajectoryApp(
    root,
    host,
    (rel) => (rel && isRunAsset(rel) && Object.hasOwn(data.assets, rel) ? data.assets[rel] : undefined),
    (url) => {
      if (isWebUrl(url)) window.open(url, '_blank', 'noopener,noreferrer');
    },
  );
  app.handle(hostMessageSchema.parse(data.init));
} else {
  let assetBase = '';
  const app = new TrajectoryApp(
    root,
    host,
    (rel) => (rel && isRunAsset(rel) && assetBase ? `${assetBase.replace(/\/$/, '')}/${rel.split('/').map(encodeURIComponent).join('/')}` : undefined),
    (url) => {
      if (isWebUrl(url)) host.request({ method: 'openExternal', url }).catch(() => undefined);
    },
  );
  window.addEventListener('message', (event: MessageEvent) => {
    const parsed = hostMessageSchema.safeParse(event.data);
    if (!parsed.success) {
      console.warn('gog: ignored a message that is not part of the protocol', parsed.error.issues[0]);
      return;
    }
    if (parsed.data.type === 'init') assetBase = parsed.data.assetBase;
    app.handle(parsed.data);
  });
  host.post({ type: 'ready' });
}

// The one module that touches @vscode/webview-ui-toolkit. The toolkit is archived upstream
// (it is what the product card names); keeping it behind these few functions means a swap
// to another component library changes this file only. Its stylesheets are constructed in
// script, and the one <style> it inserts carries the page's nonce (meta csp-nonce).
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeCheckbox } from '@vscode/webview-ui-toolkit';
import { el, icon } from './dom';

provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeCheckbox());

export function button(label: string, o: { onClick: () => void; appearance?: 'primary' | 'secondary' | 'icon'; icon?: string; title?: string }): HTMLElement {
  const b = el('vscode-button' as 'button', o.title ? { title: o.title } : {});
  b.setAttribute('appearance', o.appearance ?? 'secondary');
  if (o.appearance === 'icon') {
    b.setAttribute('aria-label', label);
    b.appendChild(icon(o.icon ?? 'circle'));
  } else {
    if (o.icon) {
      const i = icon(o.icon);
      i.setAttribute('slot', 'start');
      b.appendChild(i);
    }
    b.appendChild(document.createTextNode(label));
  }
  b.addEventListener('click', () => o.onClick());
  return b;
}

export function checkbox(label: string, checked: boolean, onChange: (checked: boolean) => void): HTMLElement {
  const c = el('vscode-checkbox' as 'input', {}, label) as unknown as HTMLElement & { checked: boolean };
  c.checked = checked;
  c.addEventListener('change', () => onChange(c.checked));
  return c;
}

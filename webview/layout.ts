// Where the image goes: beside the turns when the view is wider than tall (a wide editor
// has room for both, and the turns keep the whole height), above them otherwise. The
// annotator can choose one for good (kept in the webview state); the body's class says
// which is in effect, for the stylesheet.
import { button } from './toolkit';

export type Layout = 'side' | 'stacked';

export class LayoutSwitch {
  readonly element: HTMLElement;
  private chosen: Layout | undefined;

  constructor(chosen: Layout | undefined, changed: (layout: Layout) => void) {
    this.chosen = chosen;
    this.element = button('Put the image beside the turns', {
      appearance: 'icon',
      icon: 'split-horizontal',
      onClick: () => {
        this.chosen = this.current === 'side' ? 'stacked' : 'side';
        this.apply();
        changed(this.chosen);
      },
    });
    this.element.classList.add('layout-switch');
    window.addEventListener('resize', () => this.apply());
    this.apply();
  }

  /** The layout in effect: the one chosen, else by the view's shape. */
  get current(): Layout {
    return this.chosen ?? (window.innerWidth > window.innerHeight ? 'side' : 'stacked');
  }

  private apply(): void {
    const side = this.current === 'side';
    document.body.classList.toggle('layout-side', side);
    const label = side ? 'Put the image above the turns' : 'Put the image beside the turns';
    this.element.setAttribute('aria-label', label);
    this.element.title = label;
    this.element
      .querySelector('.codicon')
      ?.classList.replace(side ? 'codicon-split-horizontal' : 'codicon-split-vertical', side ? 'codicon-split-vertical' : 'codicon-split-horizontal');
  }
}

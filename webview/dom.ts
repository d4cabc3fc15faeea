// The only way the UI makes elements. Strings always become text nodes: no innerHTML
// anywhere, so titles, snippets, queries and model text from the web or the model are
// shown as text whatever they contain. Attributes are limited to a fixed set.

export type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  title?: string;
  /** role, tabindex, alt, type, aria-*, data-* only. */
  attrs?: Record<string, string>;
  on?: { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
}

const SAFE_ATTRIBUTE = /^(role|tabindex|alt|type|aria-[a-z-]+|data-[a-z-]+|loading|decoding|draggable)$/;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.class) node.className = props.class;
  if (props.title) node.title = props.title;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (!SAFE_ATTRIBUTE.test(name)) throw new Error(`attribute ${name} is not allowed`);
    node.setAttribute(name, value);
  }
  for (const [name, handler] of Object.entries(props.on ?? {})) node.addEventListener(name, handler as EventListener);
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** An <img> of a run asset; `src` must come from the asset resolver, never from record text. */
export function image(src: string, alt: string, className?: string): HTMLImageElement {
  const img = el('img', { class: className ?? '', attrs: { alt, loading: 'lazy', decoding: 'async', draggable: 'false' } });
  img.src = src;
  return img;
}

export function icon(name: string): HTMLElement {
  return el('span', { class: `codicon codicon-${name}`, attrs: { 'aria-hidden': 'true' } });
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

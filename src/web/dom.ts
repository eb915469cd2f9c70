/**
 * The few DOM helpers the page needs: find an element by id (failing loudly if the HTML and the
 * script disagree), build an element with attributes and children, and set trusted HTML (KaTeX's
 * output from the worker) in one place.
 */

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no element #${id}`);
  return el as T;
}

type Attrs = Readonly<Record<string, string | boolean | undefined>>;

/** An element with attributes (true: present, false/undefined: absent) and text or element children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === true) el.setAttribute(k, '');
    else if (typeof v === 'string') el.setAttribute(k, v);
  }
  el.append(...children);
  return el;
}

/** Places HTML rendered by KaTeX in the worker (KaTeX escapes every piece of text it renders). */
export function setRendered(el: HTMLElement, html: string): void {
  el.innerHTML = html;
}

export function show(el: HTMLElement, visible: boolean): void {
  el.hidden = !visible;
}

/** Calls fn once input has paused for `ms`. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): (...args: A) => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (...args: A) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

type Child = Node | string | null | undefined | false
type Props<K extends keyof HTMLElementTagNameMap> = Partial<Omit<HTMLElementTagNameMap[K], 'style' | 'dataset'>> & {
  attrs?: Record<string, string>
  dataset?: Record<string, string>
}

/**
 * Creates an element. Text is always a text node: nothing a message contains is ever parsed as
 * HTML, which is what keeps `<img onerror>` in a message harmless.
 */
export function h<K extends keyof HTMLElementTagNameMap> (tag: K, props: Props<K> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  const { attrs, dataset, ...properties } = props
  Object.assign(el, properties)
  for (const [name, value] of Object.entries(attrs ?? {})) el.setAttribute(name, value)
  for (const [name, value] of Object.entries(dataset ?? {})) el.dataset[name] = value
  append(el, children)
  return el
}

export function append (parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child)
  }
}

export function replaceChildren (parent: Element, ...children: Child[]): void {
  parent.replaceChildren()
  append(parent, children)
}

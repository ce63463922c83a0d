// A tiny way to build DOM nodes: h("button", { onclick }, "Save").

type Child = Node | string | number | null | undefined | false;
type Props = Record<string, unknown>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value as EventListener);
    } else if (key === "class") {
      node.className = String(value);
    } else if (key in node && key !== "list") {
      (node as unknown as Record<string, unknown>)[key] = value;
    } else {
      node.setAttribute(key, value === true ? "" : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** Replaces everything inside `parent` with `children`. */
export function mount(parent: HTMLElement, ...children: (Child | Child[])[]): void {
  parent.replaceChildren();
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : String(child));
  }
}

/** A byte count as staff read it. */
export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** A timestamp in the staff member's own time zone. */
export function when(iso: string): string {
  return new Date(iso).toLocaleString();
}

/** A message that goes away by itself. */
export function toast(text: string, kind: "info" | "error" = "info"): void {
  const node = h("div", { class: `toast ${kind}`, role: "status" }, text);
  document.body.append(node);
  setTimeout(() => node.remove(), kind === "error" ? 9000 : 4000);
}

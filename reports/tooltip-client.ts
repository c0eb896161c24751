// The run report's tooltip, shared by its page scripts (the timeline's and the backend queues'): shows
// `html` beside the pointer, flipped to the other side where it would leave the window.
// Assumes a browser; bundled into each script that imports it.

/** Shows `tooltip` with `html` near the pointer of `event`, inside the window. */
export function showTooltip(tooltip: HTMLElement, event: MouseEvent, html: string): void {
  tooltip.innerHTML = html;
  tooltip.hidden = false;
  const pad = 14;
  const rect = tooltip.getBoundingClientRect();
  const left = event.clientX + pad + rect.width > window.innerWidth ? event.clientX - rect.width - pad : event.clientX + pad;
  const top = event.clientY + pad + rect.height > window.innerHeight ? event.clientY - rect.height - pad : event.clientY + pad;
  tooltip.style.left = `${Math.max(4, left)}px`;
  tooltip.style.top = `${Math.max(4, top)}px`;
}

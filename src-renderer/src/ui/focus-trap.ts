/**
 * Keeps Tab and Shift+Tab inside a modal dialog: from the last focusable
 * element Tab goes to the first, and back. Pure DOM, no state.
 */
const FOCUSABLE =
  'button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea, [tabindex]:not([tabindex="-1"])';

export function keepFocusInside(
  e: { key: string; shiftKey: boolean; preventDefault(): void },
  root: HTMLElement,
): void {
  if (e.key !== 'Tab') return;
  const items = [...root.querySelectorAll<HTMLElement>(FOCUSABLE)];
  if (items.length === 0) return;
  const first = items[0]!;
  const last = items.at(-1)!;
  const active = root.ownerDocument.activeElement;
  const inside = active instanceof HTMLElement && root.contains(active);
  if (e.shiftKey && (active === first || !inside)) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && (active === last || !inside)) {
    e.preventDefault();
    first.focus();
  }
}

/**
 * A modal dialog's keys: Esc calls `onEscape` (where the dialog can be left), Tab and Shift+Tab stay inside it.
 * For the dialog's root element's `onKeyDown`.
 */
export function dialogKeys(
  onEscape: (() => void) | undefined,
): (e: { key: string; shiftKey: boolean; preventDefault(): void; currentTarget: HTMLElement }) => void {
  return (e) => {
    if (e.key === 'Escape' && onEscape) {
      e.preventDefault();
      onEscape();
    } else keepFocusInside(e, e.currentTarget);
  };
}

/**
 * Keyboard-wedge scanners in the page: a scanner that "types" its code. Every
 * keydown goes through the wedge (wedge-logic.ts) in the capture phase, before
 * any field sees it. Keys that may be part of a scan are held back; if they
 * turn out to be a person typing they are replayed into the focused field,
 * and a completed burst becomes a scan — it never reaches a text field.
 */
import type { WedgeConfig } from '../../shared/ipc';
import { createWedge } from './wedge-logic';

const replay = (text: string): void => {
  if (!text) return;
  const el = document.activeElement;
  if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
    // insertText goes through the browser's own editing path, so React sees a normal input event.
    document.execCommand('insertText', false, text);
  }
};

export const installWedge = (
  config: WedgeConfig,
  onScan: (data: string) => void,
  suppressed: () => boolean,
): (() => void) => {
  const wedge = createWedge(config, suppressed);
  let timer: ReturnType<typeof setTimeout> | null = null;
  const scheduleFlush = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => replay(wedge.flush(performance.now())), config.maxInterKeyMs + 5);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const action = wedge.key({
      key: e.key,
      timeMs: e.timeStamp,
      ctrlKey: e.ctrlKey,
      metaKey: e.metaKey,
      altKey: e.altKey,
      isComposing: e.isComposing,
    });
    replay(action.replay);
    if (action.swallow) {
      e.preventDefault();
      e.stopPropagation();
    }
    if (action.scheduleFlush) scheduleFlush();
    if (action.scan !== null) onScan(action.scan);
  };
  window.addEventListener('keydown', onKeyDown, { capture: true });
  return () => {
    window.removeEventListener('keydown', onKeyDown, { capture: true });
    if (timer) clearTimeout(timer);
  };
};

/**
 * Keyboard-wedge scanners in the page: a scanner that "types" its code. Every
 * keydown (and Shift keyup) goes through the wedge (wedge-logic.ts) in the
 * capture phase, before any field sees it. Keys that may be part of a scan
 * are held back; if they turn out to be a person typing they are replayed
 * into the focused field, a completed burst becomes a scan — it never
 * reaches a text field — and a burst that looked like a scanner but was not
 * read cleanly is handed to `onRejected`, so the till can show what was read.
 */
import type { BurstRejection, WedgeConfig } from '../../shared/ipc';
import { createWedge, type WedgeAction } from './wedge-logic';

const replay = (text: string): void => {
  if (!text) return;
  const el = document.activeElement;
  if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
    // insertText goes through the browser's own editing path, so React sees a normal input event.
    document.execCommand('insertText', false, text);
  }
};

export type WedgeHandlers = {
  onScan: (data: string) => void;
  onRejected: (data: string, reason: BurstRejection) => void;
  /** True while the host reads a keyboard-mode scanner itself: its keystroke copy must not count. */
  suppressed: () => boolean;
};

export function installWedge(config: WedgeConfig, handlers: WedgeHandlers): () => void {
  const wedge = createWedge(config, handlers.suppressed);
  let timer: ReturnType<typeof setTimeout> | null = null;

  const apply = (action: WedgeAction) => {
    replay(action.replay);
    if (action.scheduleFlush) {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => apply(wedge.flush(performance.now())), config.quietMs + 5);
    }
    if (action.scan !== null) handlers.onScan(action.scan);
    if (action.rejected) handlers.onRejected(action.rejected.data, action.rejected.reason);
  };

  const keyOf = (e: KeyboardEvent) => ({
    key: e.key,
    timeMs: e.timeStamp,
    ctrlKey: e.ctrlKey,
    metaKey: e.metaKey,
    altKey: e.altKey,
    isComposing: e.isComposing,
    repeat: e.repeat,
  });
  const onKeyDown = (e: KeyboardEvent) => {
    const action = wedge.key(keyOf(e));
    if (action.swallow) {
      e.preventDefault();
      e.stopPropagation();
    }
    apply(action);
  };
  const onKeyUp = (e: KeyboardEvent) => apply(wedge.keyUp(keyOf(e)));
  window.addEventListener('keydown', onKeyDown, { capture: true });
  window.addEventListener('keyup', onKeyUp, { capture: true });
  return () => {
    window.removeEventListener('keydown', onKeyDown, { capture: true });
    window.removeEventListener('keyup', onKeyUp, { capture: true });
    if (timer) clearTimeout(timer);
  };
}

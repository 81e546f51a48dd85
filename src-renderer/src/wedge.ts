/**
 * Keyboard-wedge scanners: a scanner that "types" its code. Every keydown
 * goes through the burst detector first (capture phase, before any field
 * sees it). Keys that may be part of a scan are held back; if they turn out
 * to be a person typing they are replayed into the focused field, and a
 * completed burst becomes a scan — it never reaches a text field.
 */
import type { WedgeConfig } from '../../shared/ipc';
import { createBurstDetector, type BurstKey } from '../../shared/scanner/burst-detector';

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
  const detector = createBurstDetector(config);
  let timer: ReturnType<typeof setTimeout> | null = null;
  const scheduleFlush = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      const r = detector.flush(performance.now());
      if (r?.kind === 'typing') replay(r.replay);
    }, config.maxInterKeyMs + 5);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    let key: BurstKey;
    if (e.key === 'Enter' || e.key === 'Tab') key = { kind: 'terminator' };
    else if (e.key.length === 1) key = { kind: 'char', char: e.key };
    else if (e.key === 'Shift' || e.key === 'CapsLock') return;
    else key = { kind: 'other' };

    const result = detector.feed(key, e.timeStamp);
    if (result.kind === 'buffering') {
      e.preventDefault();
      e.stopPropagation();
      scheduleFlush();
    } else if (result.kind === 'scan') {
      e.preventDefault();
      e.stopPropagation();
      // The host owns a keyboard-mode scanner: its scans come over IPC; do not count them twice.
      if (!suppressed()) onScan(result.data);
    } else {
      replay(result.replay);
      if (key.kind === 'char') {
        // The detector holds this key as the possible start of a new burst.
        e.preventDefault();
        e.stopPropagation();
        scheduleFlush();
      }
    }
  };
  window.addEventListener('keydown', onKeyDown, { capture: true });
  return () => {
    window.removeEventListener('keydown', onKeyDown, { capture: true });
    if (timer) clearTimeout(timer);
  };
};

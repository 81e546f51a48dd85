/**
 * Locks the till after a spell without a key, a touch or a scan, so an
 * unattended till cannot be used under the last cashier's name. Not while a
 * sale is being paid (the customer is there, a tender may be going through).
 * `touch()` counts a scan as activity (HID scans do not go through the
 * keyboard).
 */
import { useCallback, useEffect, useRef } from 'react';

export function useIdleLock(opts: {
  /** Seconds without activity before `onIdle` (0: never). */
  seconds: number;
  /** Only while someone is signed in and the till may lock now. */
  active: boolean;
  onIdle: () => void;
}): { touch: () => void } {
  const last = useRef(0);
  const onIdle = useRef(opts.onIdle);
  useEffect(() => {
    onIdle.current = opts.onIdle;
  });
  const touch = useCallback(() => {
    last.current = performance.now();
  }, []);
  useEffect(() => {
    window.addEventListener('keydown', touch, { capture: true });
    window.addEventListener('pointerdown', touch, { capture: true });
    return () => {
      window.removeEventListener('keydown', touch, { capture: true });
      window.removeEventListener('pointerdown', touch, { capture: true });
    };
  }, [touch]);
  const { seconds, active } = opts;
  useEffect(() => {
    if (!active || seconds <= 0) return;
    // The clock starts again whenever the till may lock (a sign-in, a dialog closed).
    touch();
    const timer = setInterval(
      () => {
        if (performance.now() - last.current >= seconds * 1000) onIdle.current();
      },
      Math.min(1000, seconds * 250),
    );
    return () => clearInterval(timer);
  }, [active, seconds, touch]);
  return { touch };
}

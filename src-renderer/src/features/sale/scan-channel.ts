/**
 * Scans the sale screen hands to the dialog that takes them (a gift card to the gift card dialog, or to the pay
 * dialog's gift card tender). Scans are events, not state: the same card scanned twice is taken twice. A scan sent
 * while no dialog listens waits for the next one to listen (the dialog the scan is opening), and only the latest
 * waits. One listener at a time: the dialog open.
 */
export type ScanChannel = {
  send: (text: string) => void;
  /** Takes every scan sent from now on (and one waiting); returns the unsubscribe. */
  listen: (take: (text: string) => void) => () => void;
};

export function scanChannel(): ScanChannel {
  let listener: ((text: string) => void) | null = null;
  let waiting: string | null = null;
  return {
    send(text) {
      if (listener) listener(text);
      else waiting = text;
    },
    listen(take) {
      listener = take;
      if (waiting !== null) {
        const text = waiting;
        waiting = null;
        take(text);
      }
      return () => {
        if (listener === take) listener = null;
      };
    },
  };
}

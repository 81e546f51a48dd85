/**
 * The shift open on this till, for the screen: loaded from the till's database when it opens (a restarted till
 * finds its shift again) and refreshed after every shift action. The actions themselves are db/shifts.ts; this
 * only keeps what the screen shows in step with them.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ClosedShiftReport, Shift } from '../../../../shared/shift';
import type { TillDatabase } from '../../db/database';
import { lastZReport, loadShift } from '../../db/shifts';

export type ShiftView = {
  /** The open shift, null when none is, undefined until the database has answered. */
  shift: Shift | null | undefined;
  lastZ: ClosedShiftReport | null;
  refresh: () => Promise<void>;
};

function read(db: TillDatabase, tillId: string): Promise<[Shift | null, ClosedShiftReport | null]> {
  return Promise.all([loadShift(db, tillId), lastZReport(db)]);
}

export function useShift(db: TillDatabase | null, tillId: string | null): ShiftView {
  const [shift, setShift] = useState<Shift | null | undefined>(undefined);
  const [lastZ, setLastZ] = useState<ClosedShiftReport | null>(null);
  const refresh = useCallback(async () => {
    if (!db || !tillId) return;
    const [open, z] = await read(db, tillId);
    setShift(open);
    setLastZ(z);
  }, [db, tillId]);
  useEffect(() => {
    if (!db || !tillId) return;
    let live = true;
    void read(db, tillId).then(([open, z]) => {
      if (!live) return;
      setShift(open);
      setLastZ(z);
    });
    return () => {
      live = false;
    };
  }, [db, tillId]);
  return { shift, lastZ, refresh };
}

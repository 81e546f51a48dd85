/**
 * Keeps the basket in progress across a restart of the till (basket-store.ts): loads the kept one once the
 * database is open, puts it back, and from then on keeps every change. Says what it found through `onFound`.
 */
import { useEffect, useMemo, useRef, useState, type Dispatch } from 'react';
import type { TillDatabase } from '../../db/database';
import { basketKeeper, loadKeptBasket, type BasketKeeper, type KeptBasket } from './basket-store';
import type { SaleSession, SessionAction } from './session';

export function useKeptBasket(
  db: TillDatabase | null,
  session: SaleSession,
  dispatch: Dispatch<SessionAction>,
  onFound: (kept: KeptBasket) => void,
): BasketKeeper | null {
  const keeper = useMemo(() => (db ? basketKeeper(db) : null), [db]);
  const [loaded, setLoaded] = useState(false);
  const found = useRef(onFound);
  useEffect(() => {
    found.current = onFound;
  });
  useEffect(() => {
    if (!db || !keeper) return;
    let current = true;
    void loadKeptBasket(db).then((kept) => {
      if (!current) return;
      if (kept.kind === 'restored') {
        keeper.adopt(kept.saleId);
        dispatch({ type: 'restore', session: kept.session });
      }
      found.current(kept);
      setLoaded(true);
    });
    return () => {
      current = false;
    };
  }, [db, keeper, dispatch]);
  useEffect(() => {
    // Not before the kept basket is read: the empty first session would remove it.
    if (loaded) keeper?.keep(session);
  }, [keeper, loaded, session]);
  return keeper;
}

/**
 * The member list's bootstrap: a progress bar with counts, rate and time left; a quiet count once loaded. It
 * follows the sync's status itself, so its frequent updates re-render only this line, not the till screen.
 */
import { useEffect, useState } from 'react';
import type { MemberSync, MemberSyncState } from '../db/member-sync-client';
import { language } from '../i18n';
import { t } from './strings';

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min ${seconds % 60} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function MemberDataStatus({ sync }: { sync: MemberSync }) {
  const [status, setStatus] = useState<MemberSyncState | null>(null);
  useEffect(() => {
    const sub = sync.status$.subscribe(setStatus);
    return () => sub.unsubscribe();
  }, [sync]);
  const count = new Intl.NumberFormat(language());
  const percent = new Intl.NumberFormat(language(), { style: 'percent' });
  const state = status?.phase === 'ready' ? 'ready' : 'loading';
  const loaded = status?.loaded ?? 0;
  const total = status?.total ?? 0;
  return (
    <div
      className={state === 'ready' ? 'member-data muted' : 'progress'}
      data-testid="member-data"
      data-state={state}
      data-loaded={loaded}
      data-total={total}
      data-runs-in={status?.runsIn}
      data-partial={status?.partial ? 'true' : 'false'}
      role={state === 'ready' ? undefined : 'status'}
    >
      {state === 'ready' ? (
        <span>
          {status?.partial ? t.membersReadyRegion(count.format(loaded)) : t.membersReady(count.format(loaded))}
        </span>
      ) : (
        <>
          <span>
            {status?.phase === 'keys' && status.indexTotal > 0
              ? t.membersIndexing(percent.format(status.indexed / status.indexTotal))
              : total > 0
                ? t.membersLoading(count.format(loaded), count.format(total))
                : t.membersStarting}
          </span>
          {status && status.rate > 0 && <span>{t.membersRate(count.format(status.rate))}</span>}
          {status?.secondsLeft != null && <span>{t.membersLeft(duration(status.secondsLeft))}</span>}
          {status?.phase === 'keys' && status.indexTotal > 0 ? (
            <progress max={status.indexTotal} value={status.indexed} />
          ) : total > 0 ? (
            <progress max={total} value={loaded} />
          ) : (
            <progress />
          )}
          {status?.error && <span className="muted">{status.error}</span>}
        </>
      )}
    </div>
  );
}

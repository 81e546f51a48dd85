/** The bar across the top: store, mode, sync state, scanner, who is signed in. */
import type { ScannerStatus } from '../../../shared/ipc';
import type { SyncStatus } from '../db/replication';
import type { Language } from '../i18n';
import { clockTime } from './format';
import { LanguageSelect } from './LanguageSelect';
import { t } from './strings';

export function StatusBar(props: {
  storeName: string | null;
  browserMode: boolean;
  sync: SyncStatus;
  /** Products, reference data and members all loaded: only then may the bar say "All synced". */
  allLoaded: boolean;
  scanner: ScannerStatus | null;
  cashierName: string | null;
  /** The shift open on the till (its number), null when none is, undefined until known. */
  shiftNo?: number | null;
  onOpenShift?: () => void;
  onOpenSettings: () => void;
  onSignOut: () => void;
  language: Language;
  onLanguage: (code: Language) => void;
}) {
  const { sync, allLoaded, scanner } = props;
  return (
    <header className="status" data-testid="status-bar">
      <strong>{t.appName}</strong>
      {props.storeName && <span>{props.storeName}</span>}
      {props.browserMode && <span className="pill muted">{t.browserMode}</span>}
      <span className={`pill ${sync.online ? 'ok' : 'bad'}`} data-testid="online-badge">
        {sync.online ? t.online : t.offline}
      </span>
      <span
        className={`pill ${sync.waiting > 0 || !allLoaded ? 'warn' : 'ok'}`}
        data-testid="waiting-badge"
        data-waiting={sync.waiting}
      >
        {sync.waiting > 0 ? t.waiting(sync.waiting) : allLoaded ? t.allSynced : t.membersNotReady}
      </span>
      {sync.parked > 0 && (
        <span className="pill warn" data-testid="parked-badge" data-parked={sync.parked}>
          {t.parked(sync.parked)}
        </span>
      )}
      <span className="muted" data-testid="last-sync">
        {sync.lastSyncAt ? t.lastSync(clockTime(sync.lastSyncAt)!) : t.neverSynced}
      </span>
      {scanner && (
        <span
          className={`pill ${scanner.state === 'connected' ? 'ok' : scanner.state === 'none' ? 'muted' : 'bad'}`}
          data-testid="scanner-state"
        >
          {t.scannerStatus(scanner)}
        </span>
      )}
      <LanguageSelect value={props.language} onChange={props.onLanguage} />
      <button className="link" data-testid="open-scanner-settings" onClick={props.onOpenSettings}>
        {t.scannerSettings}
      </button>
      {props.cashierName !== null && (
        <>
          <span data-testid="signed-in-as">{t.signedInAs(props.cashierName)}</span>
          {props.shiftNo !== undefined && (
            <button
              className={props.shiftNo === null ? 'link warn' : 'link'}
              data-testid="shift-badge"
              data-shift={props.shiftNo === null ? 'none' : 'open'}
              onClick={props.onOpenShift}
            >
              {props.shiftNo === null ? t.shiftNone : t.shiftBadge(props.shiftNo)} <kbd>F8</kbd>
            </button>
          )}
          <button className="link" data-testid="sign-out" onClick={props.onSignOut}>
            {t.signOut}
          </button>
        </>
      )}
    </header>
  );
}

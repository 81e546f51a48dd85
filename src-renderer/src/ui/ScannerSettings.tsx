/**
 * Scanner settings: the HID devices attached to this till with their ids and
 * usage pages; staff pick the scanner to read. Everything goes through the
 * till host's IPC contract.
 */
import { useEffect, useState } from 'react';
import type { HidDeviceInfo, KassaHostApi, ScannerStatus } from '../../../shared/ipc';
import { t } from './strings';

const hex = (n: number | null) => (n === null ? '—' : `0x${n.toString(16).padStart(4, '0')}`);

export const ScannerSettings = ({ host, onClose }: { host: KassaHostApi; onClose: () => void }) => {
  const [devices, setDevices] = useState<HidDeviceInfo[] | null>(null);
  const [status, setStatus] = useState<ScannerStatus | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    host.invoke('scanner:list-devices', null).then(setDevices, (e: Error) => setError(e.message));
    host.invoke('scanner:get-status', null).then(setStatus, (e: Error) => setError(e.message));
  }, [host]);

  const choose = (d: HidDeviceInfo) => {
    host
      .invoke('scanner:select-device', { vendorId: d.vendorId, productId: d.productId })
      .then(setStatus, (e: Error) => setError(e.message));
  };

  return (
    <div className="dialog" role="dialog" aria-label={t.scannerSettings} data-testid="scanner-settings">
      <div className="card wide">
        <h2>{t.scannerSettings}</h2>
        {status && <p data-testid="scanner-settings-status">{status.message}</p>}
        {error && <p className="message error">{error}</p>}
        {devices === null ? (
          <p className="muted">{t.loadingDevices}</p>
        ) : devices.length === 0 ? (
          <p className="muted" data-testid="no-devices">
            {t.noDevices}
          </p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>{t.device}</th>
                <th>VID:PID</th>
                <th>{t.usagePage}</th>
                <th>{t.mode}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {devices.map((d) => (
                <tr key={d.path}>
                  <td>{[d.manufacturer, d.product].filter(Boolean).join(' ') || d.path}</td>
                  <td>
                    {hex(d.vendorId)}:{hex(d.productId)}
                  </td>
                  <td>
                    {hex(d.usagePage)} / {hex(d.usage)}
                  </td>
                  <td>{d.kind}</td>
                  <td>
                    <button onClick={() => choose(d)}>{t.useThis}</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="muted">{t.hidPosAdvice}</p>
        <button onClick={onClose}>{t.close}</button>
      </div>
    </div>
  );
};

/**
 * Scanner settings: the HID devices attached to this till with their ids and
 * usage pages; staff pick the scanner to read and, for a HID POS scanner, the
 * report layout it sends. Below, the keyboard-scanner thresholds of this till.
 * Everything goes through the till host's IPC contract; the host saves it in
 * the till config.
 */
import { useEffect, useRef, useState, useLayoutEffect } from 'react';
import type { HidDeviceInfo, HidPosLayout, KassaHostApi, ScannerStatus, WedgeConfig } from '../../../shared/ipc';
import { Modal } from './Modal';
import { t } from './strings';

const hex = (n: number | null) => (n === null ? '—' : `0x${n.toString(16).padStart(4, '0')}`);

type WedgeForm = { maxInterKeyMs: string; minLength: string; quietMs: string; suffix: WedgeConfig['suffix'] };
const formOf = (w: WedgeConfig): WedgeForm => ({
  maxInterKeyMs: String(w.maxInterKeyMs),
  minLength: String(w.minLength),
  quietMs: String(w.quietMs),
  suffix: w.suffix,
});

export const ScannerSettings = ({
  host,
  wedge,
  onWedgeSaved,
  onClose,
}: {
  host: KassaHostApi;
  wedge: WedgeConfig;
  onWedgeSaved: (wedge: WedgeConfig) => void;
  onClose: () => void;
}) => {
  const [devices, setDevices] = useState<HidDeviceInfo[] | null>(null);
  const [status, setStatus] = useState<ScannerStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState<WedgeForm>(() => formOf(wedge));
  const [saved, setSaved] = useState(false);

  // The dialog takes the keyboard as it opens: Esc closes it, Tab stays inside.
  const rootRef = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => rootRef.current?.focus(), []);
  useEffect(() => {
    host.invoke('scanner:list-devices', null).then(setDevices, (e: Error) => setError(e.message));
    host.invoke('scanner:get-status', null).then(setStatus, (e: Error) => setError(e.message));
  }, [host]);

  const choose = (d: HidDeviceInfo) => {
    host
      .invoke('scanner:select-device', { vendorId: d.vendorId, productId: d.productId })
      .then(setStatus, (e: Error) => setError(e.message));
  };

  const setLayout = (d: HidDeviceInfo, layout: HidPosLayout) => {
    host
      .invoke('scanner:set-hid-pos-layout', { vendorId: d.vendorId, productId: d.productId, layout })
      .then((s) => {
        setStatus(s);
        return host.invoke('scanner:list-devices', null).then(setDevices);
      })
      .catch((e: Error) => setError(e.message));
  };

  const saveWedge = () => {
    setSaved(false);
    setError(null);
    host
      .invoke('scanner:set-wedge', {
        maxInterKeyMs: Number(form.maxInterKeyMs),
        minLength: Number(form.minLength),
        quietMs: Number(form.quietMs),
        suffix: form.suffix,
      })
      .then(
        (w) => {
          setForm(formOf(w));
          setSaved(true);
          onWedgeSaved(w);
        },
        (e: Error) => setError(e.message),
      );
  };

  const number = (field: 'maxInterKeyMs' | 'minLength' | 'quietMs', label: string) => (
    <label>
      {label}
      <input
        type="number"
        min={1}
        data-testid={`wedge-${field}`}
        value={form[field]}
        onChange={(e) => setForm({ ...form, [field]: e.target.value })}
      />
    </label>
  );

  return (
    <Modal testId="scanner-settings" label={t.scannerSettings} onEscape={onClose} rootRef={rootRef} focusable>
      <div className="card wide">
        <h2>{t.scannerSettings}</h2>
        {status && <p data-testid="scanner-settings-status">{t.scannerStatus(status)}</p>}
        {error && (
          <p className="message error" data-testid="scanner-settings-error">
            {error}
          </p>
        )}
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
                <th>{t.reportLayout}</th>
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
                    {d.hidPosLayout && (
                      <select
                        aria-label={t.reportLayout}
                        value={d.hidPosLayout}
                        onChange={(e) => setLayout(d, e.target.value as HidPosLayout)}
                      >
                        <option value="aim">{t.layoutAim}</option>
                        <option value="newland">{t.layoutNewland}</option>
                      </select>
                    )}
                  </td>
                  <td>
                    <button onClick={() => choose(d)}>{t.useThis}</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="muted">{t.hidPosAdvice}</p>

        <h3>{t.keyboardScanners}</h3>
        <form
          className="wedge-settings"
          data-testid="wedge-settings"
          onSubmit={(e) => {
            e.preventDefault();
            saveWedge();
          }}
        >
          {number('maxInterKeyMs', t.wedgeMaxInterKey)}
          {number('minLength', t.wedgeMinLength)}
          {number('quietMs', t.wedgeQuiet)}
          <label className="check">
            <input
              type="checkbox"
              data-testid="wedge-suffix-optional"
              checked={form.suffix === 'optional'}
              onChange={(e) => setForm({ ...form, suffix: e.target.checked ? 'optional' : 'required' })}
            />
            {t.wedgeNoSuffix}
          </label>
          <button type="submit" data-testid="wedge-save">
            {t.save}
          </button>
          {saved && <span data-testid="wedge-saved">{t.saved}</span>}
        </form>
        <button onClick={onClose}>{t.close}</button>
      </div>
    </Modal>
  );
};

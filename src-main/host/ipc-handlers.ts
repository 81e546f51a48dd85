/**
 * The handler map: one typed handler per channel of the IPC contract, with
 * requests and replies parsed by the contract's zod schemas on the way in
 * and out. Both transports (Electron IPC, loopback WebSocket) call
 * `handleInvoke`, so they behave identically.
 */
import { KassaError } from '../../shared/errors';
import {
  ipcChannels,
  type IpcChannel,
  type IpcReply,
  type IpcRequest,
  type ScannerStatus,
  type TerminalConfig,
  type WedgeConfig,
} from '../../shared/ipc';
import type { ScannerService } from '../scanner/scanner-service-types';

export type IpcHandlers = { [C in IpcChannel]: (request: IpcRequest<C>) => Promise<IpcReply<C>> };

export type HandlerDeps = {
  terminalConfig: () => TerminalConfig | null;
  scanner: ScannerService;
  /** Scanner settings staff change on the till: saved in the till config before the reply. */
  settings: {
    setWedge: (wedge: WedgeConfig) => Promise<WedgeConfig>;
    setHidPosLayout: (choice: IpcRequest<'scanner:set-hid-pos-layout'>) => Promise<ScannerStatus>;
  };
};

export const createIpcHandlers = (deps: HandlerDeps): IpcHandlers => ({
  'terminal:get-config': () => {
    const config = deps.terminalConfig();
    if (!config) {
      return Promise.reject(
        new KassaError('AUTH_MISSING', 'This till is not enrolled yet: check the server address and enrolment code'),
      );
    }
    return Promise.resolve(config);
  },
  'scanner:get-status': () => Promise.resolve(deps.scanner.status()),
  'scanner:list-devices': () => Promise.resolve(deps.scanner.listDevices()),
  'scanner:select-device': (selection) => Promise.resolve(deps.scanner.selectDevice(selection)),
  'scanner:set-wedge': (wedge) => deps.settings.setWedge(wedge),
  'scanner:set-hid-pos-layout': (choice) => deps.settings.setHidPosLayout(choice),
  // Printing belongs to the window: Electron's main process answers it (index.ts); a browser page prints itself.
  'receipt:print': () =>
    Promise.reject(new KassaError('NOT_ALLOWED', 'This till runs in a browser: the page prints with window.print()')),
});

const isChannel = (name: string): name is IpcChannel => Object.hasOwn(ipcChannels, name);

export const handleInvoke = async (handlers: IpcHandlers, channel: string, payload: unknown): Promise<unknown> => {
  if (!isChannel(channel)) throw new KassaError('IPC_UNKNOWN_CHANNEL', `Unknown channel "${channel}"`);
  const contract = ipcChannels[channel];
  const request = contract.request.safeParse(payload ?? null);
  if (!request.success) {
    throw new KassaError(
      'IPC_BAD_REQUEST',
      `Bad request for ${channel}: ${request.error.issues[0]?.message ?? 'invalid'}`,
    );
  }
  const handler = handlers[channel] as (r: unknown) => Promise<unknown>;
  return contract.reply.parse(await handler(request.data));
};

/**
 * `kassa scanners list | watch`: for installers. Lists the attached HID
 * devices with their usage pages, and prints every decoded scan of the
 * chosen (or auto-detected HID POS) scanner until Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { createScannerService, loadNodeHid } from '../src-main/scanner/scanner-service';

const hex = (n: number | null) => (n === null ? '—' : `0x${n.toString(16).padStart(4, '0')}`);

export const runScannerCommand = async (args: string[]): Promise<number> => {
  const [sub, ...rest] = args;
  const hid = await loadNodeHid();
  if (!hid) {
    process.stderr.write(
      'node-hid could not be loaded: install libusb (Debian/Ubuntu: apt-get install libusb-1.0-0)\n',
    );
    return 1;
  }
  if (sub === 'list') {
    const service = createScannerService({ hid });
    const devices = service.listDevices();
    if (devices.length === 0) {
      process.stdout.write(
        'No HID devices found. Plug the scanner in; on Linux check the udev rule in docs/scanners.md.\n',
      );
      return 0;
    }
    for (const d of devices) {
      process.stdout.write(
        `${hex(d.vendorId)}:${hex(d.productId)}  usage page ${hex(d.usagePage)} usage ${hex(d.usage)}  ${d.kind.padEnd(8)}  ${d.manufacturer ?? ''} ${d.product ?? ''}  ${d.path}\n`,
      );
    }
    return 0;
  }
  if (sub === 'watch') {
    const { values } = parseArgs({
      args: rest,
      options: { 'vendor-id': { type: 'string' }, 'product-id': { type: 'string' } },
    });
    const selection =
      values['vendor-id'] && values['product-id']
        ? { vendorId: Number(values['vendor-id']), productId: Number(values['product-id']) }
        : null;
    const service = createScannerService({ hid, selection });
    service.on('status', (s) => process.stdout.write(`[${s.state}] ${s.message}\n`));
    service.on('scan', (s) => process.stdout.write(`${s.symbology}\t${s.data}\n`));
    service.start();
    process.stdout.write(`${service.status().message} — watching; Ctrl-C to stop\n`);
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    await service.stop();
    return 0;
  }
  process.stderr.write('Usage: kassa scanners list | kassa scanners watch [--vendor-id N --product-id N]\n');
  return 2;
};

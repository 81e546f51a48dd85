/**
 * `kassa scanners list | watch`: for installers. Lists the attached HID
 * devices with their usage pages, and prints every decoded scan of the
 * chosen (or auto-detected HID POS) scanner until Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { hidPosLayoutSchema } from '../shared/ipc';
import { keyboardLayouts } from '../shared/scanner/keyboard-layouts';
import { createScannerService, loadNodeHid } from '../src-main/scanner/scanner-service';

const usage =
  'Usage: kassa scanners list | kassa scanners watch [--vendor-id ID --product-id ID] [--layout us|de]\n' +
  '         [--hid-pos-layout aim|newland]\n' +
  '  IDs in decimal or hex (0x05e0), as `kassa scanners list` prints them. --hid-pos-layout reads that HID POS\n' +
  "  scanner in the given report layout (default: Newland's for Newland devices, else AIM).\n";

/** A USB vendor or product id: 0–0xffff, decimal or 0x-hex. */
const usbIdSchema = z
  .string()
  .regex(/^(0x[0-9a-f]{1,4}|\d{1,5})$/i, 'must be a number such as 0x05e0 or 1504')
  .transform(Number)
  .pipe(z.number().int().min(0).max(0xffff));

const watchArgsSchema = z
  .object({
    'vendor-id': usbIdSchema.optional(),
    'product-id': usbIdSchema.optional(),
    layout: z.enum(Object.keys(keyboardLayouts) as [string, ...string[]]).default('us'),
    'hid-pos-layout': hidPosLayoutSchema.optional(),
  })
  .refine((v) => (v['vendor-id'] === undefined) === (v['product-id'] === undefined), {
    message: '--vendor-id and --product-id go together',
  })
  .refine((v) => v['hid-pos-layout'] === undefined || v['vendor-id'] !== undefined, {
    message: '--hid-pos-layout needs --vendor-id and --product-id',
  });

const fail = (code: string, message: string): number => {
  process.stderr.write(`${code}: ${message}\n${usage}`);
  return 2;
};

const hex = (n: number | null) => (n === null ? '—' : `0x${n.toString(16).padStart(4, '0')}`);

export const runScannerCommand = async (args: string[]): Promise<number> => {
  const [sub, ...rest] = args;
  if (sub !== 'list' && sub !== 'watch') {
    process.stderr.write(usage);
    return 2;
  }
  let watchArgs: z.infer<typeof watchArgsSchema> | null = null;
  if (sub === 'watch') {
    let values: Record<string, unknown>;
    try {
      ({ values } = parseArgs({
        args: rest,
        options: {
          'vendor-id': { type: 'string' },
          'product-id': { type: 'string' },
          layout: { type: 'string' },
          'hid-pos-layout': { type: 'string' },
        },
      }));
    } catch (e) {
      return fail('CONFIG_INVALID', e instanceof Error ? e.message : String(e));
    }
    const parsed = watchArgsSchema.safeParse(values);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return fail('CONFIG_INVALID', `${issue.path.length ? `--${issue.path.join('.')} ` : ''}${issue.message}`);
    }
    watchArgs = parsed.data;
  } else if (rest.length > 0) {
    return fail('CONFIG_INVALID', `unexpected argument ${rest[0]}`);
  }
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
  const w = watchArgs!;
  const selection =
    w['vendor-id'] !== undefined && w['product-id'] !== undefined
      ? { vendorId: w['vendor-id'], productId: w['product-id'] }
      : null;
  const hidPosLayout = w['hid-pos-layout'];
  const service = createScannerService({
    hid,
    selection,
    keyboardLayout: w.layout,
    hidPosLayouts: selection && hidPosLayout ? [{ ...selection, layout: hidPosLayout }] : [],
  });
  service.on('status', (s) => process.stdout.write(`[${s.state}] ${s.message}\n`));
  service.on('scan', (s) => process.stdout.write(`${s.symbology}\t${JSON.stringify(s.data)}\n`));
  service.on('rejected', (r) =>
    process.stdout.write(`not read (${r.reason.code})\t${JSON.stringify(r.data)}\t${JSON.stringify(r.reason)}\n`),
  );
  // Ctrl-C is handled before anything says "watching", so an early Ctrl-C still stops cleanly.
  const interrupted = new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  // The service's own poll timer does not hold the process open (the till host must be able to exit): this does.
  const keepAlive = setInterval(() => undefined, 60_000);
  service.start();
  process.stdout.write(`${service.status().message} — watching; Ctrl-C to stop\n`);
  await interrupted;
  clearInterval(keepAlive);
  await service.stop();
  return 0;
};

/**
 * The till's terminal config and credentials, kept in one JSON file that only
 * the till host reads (the renderer gets what it needs over IPC).
 *
 * A broken file is reported with the field at fault and never overwritten:
 * an installer must be able to see and fix what they typed.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { KassaError } from '../../shared/errors';
import { hidPosLayoutSchema, wedgeConfigSchema } from '../../shared/ipc';
import { enrolResponseSchema, routes } from '../../shared/replication';
import { scanConfigSchema } from '../../shared/scan';

export const tillConfigSchema = z.object({
  serverUrl: z.url().default('http://127.0.0.1:7070'),
  enrolCode: z.string().nullable().default('DEMO-TILL-1'),
  tillId: z.string().nullable().default(null),
  storeId: z.string().nullable().default(null),
  token: z.string().nullable().default(null),
  scan: scanConfigSchema.default(scanConfigSchema.parse({})),
  wedge: wedgeConfigSchema.default(wedgeConfigSchema.parse({})),
  /** The layout a keyboard-mode scanner emulates (read through hidraw). */
  keyboardLayout: z.enum(['us', 'de']).default('us'),
  /** The till locks itself after this long without a key, a touch or a scan (0: never). */
  lockAfterIdleSeconds: z.number().int().min(0).max(86_400).default(300),
  scanner: z
    .object({ vendorId: z.number().int().nonnegative(), productId: z.number().int().nonnegative() })
    .nullable()
    .default(null),
  /**
   * HID POS report layouts by device, first match wins; a rule without `productId` covers all of a vendor's
   * devices. Without a rule: 'newland' for Newland's vendor id 0x1eab, 'aim' for everything else.
   */
  hidPosLayouts: z
    .array(
      z.object({
        vendorId: z.number().int().min(0).max(0xffff),
        productId: z.number().int().min(0).max(0xffff).optional(),
        layout: hidPosLayoutSchema,
      }),
    )
    .default([]),
});
export type TillConfig = z.infer<typeof tillConfigSchema>;

export const configPath = (dataDir: string): string => join(dataDir, 'config.json');

/** Reads the config file; a missing file is the defaults, a broken one is CONFIG_INVALID. */
export const loadTillConfig = async (
  dataDir: string,
  env: { KASSA_SERVER_URL?: string; KASSA_ENROL_CODE?: string } = {},
): Promise<TillConfig> => {
  let raw: unknown = {};
  try {
    raw = JSON.parse(await readFile(configPath(dataDir), 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code !== 'ENOENT') {
      throw new KassaError('CONFIG_INVALID', `Till config ${configPath(dataDir)} is not valid JSON: ${err.message}`);
    }
  }
  const parsed = tillConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new KassaError(
      'CONFIG_INVALID',
      `Till config ${configPath(dataDir)}: ${issue.path.join('.')}: ${issue.message}`,
    );
  }
  const config = parsed.data;
  // The environment wins for the server address and the code of a till not yet enrolled.
  if (env.KASSA_SERVER_URL) config.serverUrl = env.KASSA_SERVER_URL;
  if (env.KASSA_ENROL_CODE && !config.token) config.enrolCode = env.KASSA_ENROL_CODE;
  return config;
};

/** Writes atomically (temp file + rename) and readable by the owner only: the file holds the till token. */
export const saveTillConfig = async (dataDir: string, config: TillConfig): Promise<void> => {
  await mkdir(dataDir, { recursive: true });
  const file = configPath(dataDir);
  const tmp = join(dirname(file), `.config.${process.pid}.tmp`);
  await writeFile(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
};

const ENROL_TIMEOUT_MS = 10_000;

/** One enrolment attempt: exchanges the one-time code for the till's own token. */
export const enrol = async (config: TillConfig, fetchFn: typeof fetch = fetch): Promise<TillConfig> => {
  if (config.token) return config;
  if (!config.enrolCode) throw new KassaError('ENROL_CODE_INVALID', 'This till has no token and no enrolment code');
  const res = await fetchFn(new URL(routes.enrol, config.serverUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: config.enrolCode }),
    // A server that accepts the connection but never answers must not stall enrolment forever.
    signal: AbortSignal.timeout(ENROL_TIMEOUT_MS),
  });
  const body: unknown = await res.json();
  if (!res.ok) {
    const message = (body as { error?: { message?: string } }).error?.message ?? `HTTP ${res.status}`;
    throw new KassaError('ENROL_CODE_INVALID', `Enrolment refused: ${message}`);
  }
  const ok = enrolResponseSchema.parse(body);
  return { ...config, tillId: ok.tillId, storeId: ok.storeId, token: ok.token, enrolCode: null };
};

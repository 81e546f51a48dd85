/**
 * The till's config file: a broken file is reported with the field at fault
 * and left untouched; saving keeps the token owner-only; enrolment over real
 * HTTP stores the till's identity and refuses clearly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  configPath,
  enrol,
  loadTillConfig,
  saveTillConfig,
  tillConfigSchema,
} from '../../../src-main/host/terminal-config';

const tempDir = () => mkdtemp(join(tmpdir(), 'kassa-config-'));

describe('terminal config file', () => {
  it('reports a broken file with the field at fault and leaves it as it was', async () => {
    const dir = await tempDir();
    const broken = JSON.stringify({ serverUrl: 'not a url', wedge: { maxInterKeyMs: -3 } });
    await writeFile(configPath(dir), broken);
    await expect(loadTillConfig(dir)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(loadTillConfig(dir)).rejects.toThrow(/serverUrl/);
    expect(await readFile(configPath(dir), 'utf8')).toBe(broken);

    await writeFile(configPath(dir), JSON.stringify({ wedge: { maxInterKeyMs: -3 } }));
    await expect(loadTillConfig(dir)).rejects.toThrow(/wedge\.maxInterKeyMs/);

    await writeFile(configPath(dir), '{ nope');
    await expect(loadTillConfig(dir)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(await readFile(configPath(dir), 'utf8')).toBe('{ nope');
    expect(await readdir(dir)).toEqual(['config.json']);
  });

  it('defaults a missing file and lets the environment name the server and the code', async () => {
    const dir = await tempDir();
    const config = await loadTillConfig(dir, { KASSA_SERVER_URL: 'http://10.0.0.5:7070', KASSA_ENROL_CODE: 'SHOP-2' });
    expect(config).toMatchObject({
      serverUrl: 'http://10.0.0.5:7070',
      enrolCode: 'SHOP-2',
      token: null,
      scanner: null,
      wedge: { maxInterKeyMs: 30, minLength: 6 },
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('saves owner-only and reads back what it saved; an enrolled till ignores the enrol code', async () => {
    const dir = await tempDir();
    const enrolled = tillConfigSchema.parse({
      tillId: 'till-7',
      storeId: 'store-2',
      token: 'secret-token',
      enrolCode: null,
      scanner: { vendorId: 0x05e0, productId: 0x1200 },
    });
    await saveTillConfig(dir, enrolled);
    expect((await stat(configPath(dir))).mode & 0o777).toBe(0o600);
    const back = await loadTillConfig(dir, { KASSA_ENROL_CODE: 'OTHER-1' });
    expect(back).toEqual(enrolled);
    expect(await readdir(dir)).toEqual(['config.json']);
  });
});

describe('enrolment', () => {
  let server: Server;
  let url: string;
  const bodies: unknown[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const parsed = JSON.parse(body) as { code: string };
        bodies.push({ path: req.url, method: req.method, body: parsed });
        res.setHeader('content-type', 'application/json');
        if (parsed.code === 'GOOD-CODE') {
          res.end(JSON.stringify({ tillId: 'till-3', storeId: 'store-1', token: 'tok-abc' }));
        } else {
          res.statusCode = 403;
          res.end(JSON.stringify({ error: { code: 'ENROL_CODE_INVALID', message: 'Unknown enrolment code' } }));
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('exchanges the code for the till identity and clears the code', async () => {
    const config = tillConfigSchema.parse({ serverUrl: url, enrolCode: 'GOOD-CODE' });
    const enrolled = await enrol(config);
    expect(enrolled).toMatchObject({ tillId: 'till-3', storeId: 'store-1', token: 'tok-abc', enrolCode: null });
    expect(bodies.at(-1)).toEqual({ path: '/api/v1/enrol', method: 'POST', body: { code: 'GOOD-CODE' } });
  });

  it('passes on the server refusal as ENROL_CODE_INVALID and leaves the config as it was', async () => {
    const config = tillConfigSchema.parse({ serverUrl: url, enrolCode: 'BAD-CODE' });
    await expect(enrol(config)).rejects.toMatchObject({
      code: 'ENROL_CODE_INVALID',
      message: expect.stringContaining('Unknown enrolment code') as unknown,
    });
    expect(config.token).toBeNull();
  });

  it('does not call the server once the till has a token', async () => {
    const before = bodies.length;
    const config = tillConfigSchema.parse({ serverUrl: url, token: 't', tillId: 'a', storeId: 'b' });
    expect(await enrol(config)).toBe(config);
    expect(bodies.length).toBe(before);
  });
});

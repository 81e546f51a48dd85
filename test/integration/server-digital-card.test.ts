/**
 * Digital member cards from the server over real HTTP on PGlite: a manager asks for a member's code, a till
 * verifies it offline with the public key from its store document; key rotation keeps the previous key in the
 * store document (codes signed just before still verify) and drops the one before that; unknown members,
 * malformed ids and missing credentials are refused with codes and write nothing; every code is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeConfigSchema, type StoreConfig } from '../../shared/documents';
import { verifyDigitalCard } from '../../shared/digital-card';
import { demoUlid } from '../../src-server/seed';
import { callApi, pull, startHarness, type Harness } from '../support/server-harness';

const ADMIN = 'Bearer test-admin';

describe('digital member cards', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite', ['CARD-TILL-1']);
  });
  afterAll(async () => h?.close());

  async function storeDoc(): Promise<StoreConfig> {
    const docs: Array<Record<string, unknown> & { id: string }> = [];
    for (let seq = 0; ;) {
      const { body } = await pull(h.url, h.token, 'refdata', seq, 1000);
      if (body.documents.length === 0) break;
      docs.push(...body.documents);
      seq = body.checkpoint.seq;
    }
    return storeConfigSchema.parse(docs.filter((d) => d.id === 'store:store-1').at(-1)!.data);
  }

  async function issue(memberId: string) {
    return callApi(h.url, 'POST', `/api/v1/admin/members/${memberId}/digital-card`, ADMIN, {});
  }

  it('signs a code a till verifies offline with its store document; refusals are coded and audited nothing', async () => {
    const store = await storeDoc();
    expect(store.cardKeys).toHaveLength(1);
    const bram = demoUlid(2);
    const r = await issue(bram);
    expect(r.status).toBe(200);
    const code = String(r.body.code);
    const check = verifyDigitalCard(code, store.cardKeys, Date.now());
    expect(check).toMatchObject({ ok: true, memberId: bram, keyId: store.cardKeys[0]!.id });
    expect(Date.parse(String(r.body.expiresAt)) - Date.now()).toBeLessThanOrEqual(300_000);

    expect((await issue('01KDVDNA0000000000000000ZZ')).body).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await issue('not-an-id')).status).toBe(400);
    expect((await callApi(h.url, 'POST', `/api/v1/admin/members/${bram}/digital-card`, null, {})).status).toBe(401);
    const audited = await h.db.query<{ target: string }>(
      "SELECT target FROM audit_log WHERE action = 'member.digital-card'",
    );
    expect(audited).toEqual([{ target: bram }]);
  });

  it('rotates the key: the previous one stays with tills, the one before it goes', async () => {
    const first = (await storeDoc()).cardKeys[0]!;
    const before = String((await issue(demoUlid(3))).body.code);
    const r1 = await callApi(h.url, 'POST', '/api/v1/admin/card-key/rotate', ADMIN, {});
    expect(r1.body).toMatchObject({ ok: true, previousKeyId: first.id, stores: 1 });
    const after = await storeDoc();
    expect(after.cardKeys.map((k) => k.id)).toEqual([r1.body.keyId, first.id]);
    // A code from just before the rotation still verifies; a new one is signed with the new key.
    expect(verifyDigitalCard(before, after.cardKeys, Date.now())).toMatchObject({ ok: true });
    const fresh = String((await issue(demoUlid(3))).body.code);
    expect(verifyDigitalCard(fresh, after.cardKeys, Date.now())).toMatchObject({ ok: true, keyId: r1.body.keyId });

    await callApi(h.url, 'POST', '/api/v1/admin/card-key/rotate', ADMIN, {});
    const later = await storeDoc();
    expect(later.cardKeys.map((k) => k.id)).not.toContain(first.id);
    expect(verifyDigitalCard(before, later.cardKeys, Date.now())).toMatchObject({
      ok: false,
      code: 'DIGITAL_CARD_KEY_UNKNOWN',
    });
    expect(verifyDigitalCard(fresh, later.cardKeys, Date.now())).toMatchObject({ ok: true });
  });
});

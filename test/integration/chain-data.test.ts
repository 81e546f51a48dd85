/**
 * The chain data the bootstrap bench seeds (test/support/chain-data.ts), on
 * the real server: what tills pull is exactly the generated documents, the
 * SQL-built states equal the generator's, every member is found by card and
 * phone hash, and the ledger sums to each balance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberSchema } from '../../shared/documents';
import { memberPhoneHash, phoneHash } from '../../shared/phone';
import {
  chainCard,
  chainMember,
  chainMemberDoc,
  chainProduct,
  nativePhoneHash,
  seedChain,
} from '../support/chain-data';
import { postgresUrl, pull, startHarness, type Harness } from '../support/server-harness';

const MEMBERS = 3_000;
const PRODUCTS = 1_200;

describe.each(postgresUrl() ? (['pglite', 'postgres'] as const) : (['pglite'] as const))(
  'chain data on %s',
  (backend) => {
    let h: Harness;
    let secret: string;

    beforeAll(async () => {
      h = await startHarness(backend, ['CHAIN-1']);
      await seedChain(h.db, { members: MEMBERS, products: PRODUCTS, batch: 1_000 });
      const [key] = await h.db.query<{ secret: string }>('SELECT secret FROM phone_keys WHERE retired_at IS NULL');
      secret = key!.secret;
    });
    afterAll(() => h?.close());

    it('pulls exactly the generated member documents, in seq order, after the demo members', async () => {
      const got: Array<Record<string, unknown>> = [];
      let seq = 0;
      for (;;) {
        const page = await pull(h.url, h.token, 'members', seq, 1000);
        if (page.body.documents.length === 0) break;
        got.push(...page.body.documents);
        seq = page.body.checkpoint.seq;
      }
      const chain = got.filter((d) => String(d.cardNumber).startsWith('2991'));
      expect(got.length).toBe(MEMBERS + 20);
      expect(chain.length).toBe(MEMBERS);
      for (const [k, doc] of chain.entries()) {
        const m = chainMember(k);
        expect(memberSchema.parse(doc)).toEqual(
          memberSchema.parse(chainMemberDoc(m, phoneHash(m.phone, secret), doc.seq as number)),
        );
      }
    });

    it('pulls the generated products', async () => {
      const page = await pull(h.url, h.token, 'products', 0, 5000);
      const chain = page.body.documents.filter((d) => String(d.id).startsWith('cp-'));
      expect(chain.length).toBe(PRODUCTS);
      expect(chain[0]).toMatchObject(chainProduct(0));
      expect(chain.at(-1)).toMatchObject(chainProduct(PRODUCTS - 1));
    });

    it('backs every balance with the ledger and records each member version', async () => {
      const [row] = await h.db.query<{ mismatched: string; versions: string }>(
        `SELECT (SELECT count(*) FROM members m
                WHERE m.card_number LIKE '2991%'
                  AND (m.state->>'balance')::bigint <>
                      COALESCE((SELECT sum(points) FROM ledger_entries l WHERE l.member_id = m.id), 0)) AS mismatched,
              (SELECT count(*) FROM member_versions v JOIN members m ON m.id = v.member_id AND m.seq = v.seq
                WHERE m.card_number LIKE '2991%') AS versions`,
      );
      expect(Number(row!.mismatched)).toBe(0);
      expect(Number(row!.versions)).toBe(MEMBERS);
    });

    it('has unique 13-digit cards and a realistic spread of balances', async () => {
      const [row] = await h.db.query<{ cards: string; zero: string; small: string; big: string }>(
        `SELECT count(DISTINCT card_number) AS cards,
              count(*) FILTER (WHERE (state->>'balance')::int = 0) AS zero,
              count(*) FILTER (WHERE (state->>'balance')::int BETWEEN 1 AND 600) AS small,
              count(*) FILTER (WHERE (state->>'balance')::int > 3000) AS big
         FROM members WHERE card_number LIKE '2991%'`,
      );
      expect(Number(row!.cards)).toBe(MEMBERS);
      expect(chainCard(0)).toMatch(/^299\d{10}$/);
      expect(Number(row!.small)).toBeGreaterThan(MEMBERS * 0.6);
      expect(Number(row!.zero)).toBeGreaterThan(MEMBERS * 0.05);
      expect(Number(row!.big)).toBeGreaterThan(0);
    });

    it('hashes phones as the server and the till do', () => {
      const m = chainMember(42);
      expect(nativePhoneHash(m.phone, secret)).toBe(memberPhoneHash(m.phone, 'NL', secret));
    });
  },
);

/**
 * A till in Node for server tests: it pulls the server's documents over
 * real HTTP, sees its members through the shared projection (snapshot + its
 * own unconfirmed journal, as the real till does) and writes sales with the
 * same shared code (priceSale / saleDocuments) the real till uses.
 *
 * Like the real till's replication (src-renderer/src/db/replication.ts) it
 * keeps its journal (this one whole: it never compacts) and the server's
 * last watermark, and sends its journal again from the server's mark when
 * that mark went down (a server restored from a backup); `pull()` follows
 * checkpoints as RxDB does.
 */
import { batchCodesOf, couponBatchRefSchema, type CouponBatchRef } from '../../shared/coupons';
import { tillRefSchema, type TillRef } from '../../shared/member-card';
import { monotonicFactory } from 'ulid';
import {
  memberSchema,
  productSchema,
  refDocSchema,
  storeConfigSchema,
  type JournalDoc,
  type Member,
  type Product,
  type StoreConfig,
} from '../../shared/documents';
import { programSchema, type BasketLine, type Program, type RedeemChoice } from '../../shared/engine';
import { accountIdOf, memberFacts, memberView, type MemberView } from '../../shared/ledger';
import { phoneLookupHashes } from '../../shared/phone';
import {
  WIRE_HEADER,
  WIRE_VERSION,
  downCollections,
  pushResponseSchema,
  tillStateResponseSchema,
  type DownCollection,
} from '../../shared/replication';
import { giftCardStateSchema, giftCardView, type GiftCardState } from '../../shared/gift-cards';
import { checkSaleStoredValue, priceSale, saleDocuments, type GiftCardLoad } from '../../shared/sale-journal';

const nextId = monotonicFactory();

export type PushReply = { status: number; body: unknown };

export class TestTill {
  epoch = nextId();
  journal: JournalDoc[] = [];
  members = new Map<string, Member>();
  products = new Map<string, Product>();
  program!: Program;
  store!: StoreConfig;
  /** Pull checkpoints per collection (`pull()`), and how many pulls the server answered from 0 again. */
  checkpoints: Record<DownCollection, number> = { products: 0, members: 0, refdata: 0 };
  pullResets = 0;
  /** The program's single-use coupon batches (`coupons:…`), and the codes this till took itself. */
  coupons = new Map<string, CouponBatchRef>();
  couponsUsedHere = new Set<string>();
  /** The gift cards as the server last published them (`giftcard:…`), by number. */
  giftCards = new Map<string, GiftCardState>();
  /** This till's own document (`till:<id>`): its card ranges. */
  ref: TillRef | null = null;
  /** The server's watermark for this database from its last push reply, and how often it was found lower. */
  acked = 0;
  resends = 0;
  private seq = 0;
  private sent = 0;

  constructor(
    readonly url: string,
    readonly token: string,
    readonly tillId: string,
    readonly storeId = 'store-1',
  ) {}

  /** Pulls every down collection from the start (small demo data). */
  async sync(): Promise<void> {
    for (const collection of downCollections) {
      let seq = 0;
      for (;;) {
        const res = await fetch(
          `${this.url}/api/v1/replication/${collection}/pull?seq=${seq}&limit=1000&epoch=${this.epoch}`,
          {
            headers: { authorization: `Bearer ${this.token}` },
          },
        );
        const body = (await res.json()) as { documents: unknown[]; checkpoint: { seq: number } };
        if (body.documents.length === 0) break;
        this.take(collection, body.documents);
        seq = body.checkpoint.seq;
      }
    }
  }

  /** The members a cashier finds by typing a phone number: by its keyed hash, as the real till does. */
  findByPhone(typed: string): Member[] {
    const hashes = phoneLookupHashes(typed, this.store.country, this.store.phoneKeys);
    return [...this.members.values()].filter((m) => m.phoneHash !== '' && hashes.includes(m.phoneHash));
  }

  /** Pulls every down collection from its checkpoint, as the till's RxDB replication does. */
  async pull(limit = 200): Promise<void> {
    for (const collection of downCollections) {
      for (;;) {
        const from = this.checkpoints[collection];
        const res = await fetch(
          `${this.url}/api/v1/replication/${collection}/pull?seq=${from}&limit=${limit}&epoch=${this.epoch}`,
          {
            headers: { authorization: `Bearer ${this.token}` },
          },
        );
        if (res.status !== 200) throw new Error(`pull answered ${res.status}: ${await res.text()}`);
        const body = (await res.json()) as { documents: Array<{ seq: number }>; checkpoint: { seq: number } };
        if (body.checkpoint.seq < from || (body.documents[0]?.seq ?? Infinity) <= from) this.pullResets++;
        this.take(collection, body.documents);
        if (body.documents.length === 0) break;
        this.checkpoints[collection] = body.checkpoint.seq;
        if (body.documents.length < limit) break;
      }
    }
  }

  private take(collection: DownCollection, documents: unknown[]): void {
    for (const raw of documents) {
      if (collection === 'products') {
        const p = productSchema.parse(raw);
        this.products.set(p.id, p);
      } else if (collection === 'members') {
        const m = memberSchema.parse(raw);
        this.members.set(m.id, m);
      } else {
        const r = refDocSchema.parse(raw);
        if (r.id === `store:${this.storeId}`) this.store = storeConfigSchema.parse(r.data);
        if (r.kind === 'program') this.program = programSchema.parse(r.data);
        if (r.id === `till:${this.tillId}`) this.ref = tillRefSchema.parse(r.data);
        if (r.kind === 'coupons') this.coupons.set(r.id, couponBatchRefSchema.parse(r.data));
        if (r.kind === 'giftcard') {
          const card = giftCardStateSchema.parse(r.data);
          this.giftCards.set(card.number, card);
        }
      }
    }
  }

  /**
   * What the real till does when a live stream (re)connects: reads the server's watermark for this database
   * and, when it is below the one this till had, sends the journal again from there.
   */
  async resume(): Promise<void> {
    const res = await fetch(`${this.url}/api/v1/till/state`, { headers: { authorization: `Bearer ${this.token}` } });
    if (res.status !== 200) throw new Error(`till state answered ${res.status}: ${await res.text()}`);
    const state = tillStateResponseSchema.parse(await res.json());
    const serverMark = state.epochs.find((e) => e.epoch === this.epoch)?.ackedTillSeq ?? 0;
    if (serverMark < this.acked) this.resendFrom(serverMark);
    await this.pushAll();
  }

  private resendFrom(serverMark: number): void {
    const next = this.journal.findIndex((d) => d.tillSeq > serverMark);
    this.sent = next < 0 ? this.journal.length : next;
    this.acked = serverMark;
    this.resends++;
  }

  /** The member as this till sees it now. */
  view(memberId: string): MemberView & { memberSeq: number; accountSeq: number | null } {
    const member = this.members.get(memberId);
    if (!member) throw new Error(`unknown member ${memberId}`);
    const own = memberFacts(this.journal, member.id, member.tillMarks[this.epoch] ?? 0);
    const accountId = accountIdOf(member, own);
    const account = accountId !== member.id ? (this.members.get(accountId) ?? null) : null;
    const pending = [
      ...own,
      ...(account ? memberFacts(this.journal, account.id, account.tillMarks[this.epoch] ?? 0) : []),
    ];
    const v = memberView({
      member,
      account,
      pending,
      ctx: { timeZone: this.store.timeZone },
    });
    return { ...v, memberSeq: member.seq, accountSeq: account?.seq ?? null };
  }

  /** A gift card as this till sees it now: the server's card plus this database's sales above its mark. */
  giftCard(number: string): GiftCardState {
    return giftCardView({
      number,
      programId: this.program.id,
      server: this.giftCards.get(number) ?? null,
      epoch: this.epoch,
      sales: this.journal.flatMap((d) => (d.kind === 'sale' ? [{ tillSeq: d.tillSeq, at: d.at, body: d.body }] : [])),
      timeZone: this.store.timeZone,
      validMonths: this.program.giftCards?.validMonths ?? 0,
    });
  }

  /** Sells products (by id, with quantities) to a member or an anonymous customer; returns the new documents. */
  sell(
    memberId: string | null,
    items: Array<[productId: string, quantity?: number]>,
    opts: {
      redeem?: RedeemChoice;
      codes?: string[];
      offline?: boolean;
      at?: string;
      /** Money put on the member's eWallet with the sale. */
      topUpMinor?: number;
      /** What the eWallet pays (the rest is cash). */
      walletMinor?: number;
      /** Gift cards sold or reloaded with the sale. */
      giftCardLoads?: GiftCardLoad[];
      /** What gift cards pay, card by card (the rest is cash). */
      giftCardTenders?: Array<{ giftCard: string; amountMinor: number }>;
    } = {},
  ): JournalDoc[] {
    const basket: BasketLine[] = items.map(([productId, quantity = 1], i) => {
      const p = this.products.get(productId);
      if (!p) throw new Error(`unknown product ${productId}`);
      return {
        lineId: `L${String(i + 1).padStart(4, '0')}`,
        productId: p.id,
        ean: p.ean,
        name: p.name,
        categoryId: p.categoryId,
        tags: p.tags,
        unit: p.unit,
        quantity: p.unit === 'kg' ? 1 : quantity,
        grams: p.unit === 'kg' ? quantity * 100 : null,
        unitPriceMinor: p.priceMinor,
      };
    });
    const v = memberId ? this.view(memberId) : null;
    const input = {
      program: this.program,
      member: v ? { id: v.memberId, accountId: v.accountId, state: v.state } : null,
      basket,
      timeZone: this.store.timeZone,
      redeem: opts.redeem ?? null,
      ...(opts.codes ? { codes: opts.codes } : {}),
      // As the real till: single-use coupons found in the batches it holds, and those it took itself.
      batchCodes: batchCodesOf(opts.codes, [...this.coupons.values()], this.couponsUsedHere),
      offline: opts.offline ?? false,
    };
    const priced = priceSale(input, opts.at ?? new Date().toISOString(), nextId());
    const loads = opts.giftCardLoads ?? [];
    const cards = opts.giftCardTenders ?? [];
    const cash =
      priced.quote.totalMinor +
      (opts.topUpMinor ?? 0) +
      loads.reduce((s, l) => s + l.amountMinor, 0) -
      (opts.walletMinor ?? 0) -
      cards.reduce((s, t) => s + t.amountMinor, 0);
    const tenders = [
      ...(opts.walletMinor ? [{ kind: 'wallet' as const, amountMinor: opts.walletMinor }] : []),
      ...cards.map((t) => ({ kind: 'giftcard' as const, amountMinor: t.amountMinor, giftCard: t.giftCard })),
      ...(cash > 0 || (!opts.walletMinor && cards.length === 0) ? [{ kind: 'cash' as const, amountMinor: cash }] : []),
    ];
    // As the real till: the cards the sale names as it sees them; a refused stored-value move takes no tillSeq.
    const giftCards = new Map(
      [...loads.map((l) => l.giftCard), ...cards.map((t) => t.giftCard)].map((n) => [n, this.giftCard(n)]),
    );
    const stored = { tenders, topUpMinor: opts.topUpMinor ?? 0, giftCardLoads: loads, giftCards };
    checkSaleStoredValue(input, priced, stored);
    const seqs = Array.from({ length: 1 + priced.entries.length }, () => ++this.seq);
    const docs = saleDocuments(
      input,
      priced,
      {
        tillId: this.tillId,
        storeId: this.storeId,
        cashierId: 'cashier-1',
        memberSeq: v?.memberSeq ?? null,
        accountSeq: v?.accountSeq ?? null,
        ...stored,
      },
      priced.entries.map(() => nextId()),
      seqs,
    );
    this.journal.push(...docs);
    for (const code of Object.keys(input.batchCodes)) this.couponsUsedHere.add(code);
    return docs;
  }

  /** The next tillSeq, for hand-made documents. */
  nextSeq(): number {
    return ++this.seq;
  }

  /** Adds hand-made documents to the journal (they are pushed like the till's own). */
  write(...docs: JournalDoc[]): JournalDoc[] {
    this.journal.push(...docs);
    return docs;
  }

  /** Pushes everything not pushed yet (in batches), as the till's replication does. */
  async pushAll(batch = 100): Promise<Array<ReturnType<typeof pushResponseSchema.parse>>> {
    const replies = [];
    while (this.sent < this.journal.length) {
      const docs = this.journal.slice(this.sent, this.sent + batch);
      const reply = await this.pushDocs(docs);
      if (reply.status !== 200) throw new Error(`push answered ${reply.status}: ${JSON.stringify(reply.body)}`);
      const body = pushResponseSchema.parse(reply.body);
      replies.push(body);
      this.sent += docs.length;
      // The server's mark went down: it was restored from a backup and lacks what it had acknowledged.
      if (body.ackedTillSeq < this.acked) this.resendFrom(body.ackedTillSeq);
      else this.acked = body.ackedTillSeq;
    }
    return replies;
  }

  async pushDocs(docs: readonly JournalDoc[], envelope: Record<string, unknown> = {}): Promise<PushReply> {
    const res = await fetch(`${this.url}/api/v1/replication/journal/push`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${this.token}`,
        'content-type': 'application/json',
        [WIRE_HEADER]: String(WIRE_VERSION),
      },
      body: JSON.stringify({
        epoch: this.epoch,
        sentAt: new Date().toISOString(),
        rows: docs.map((d) => ({ newDocumentState: d, assumedMasterState: null })),
        ...envelope,
      }),
    });
    return { status: res.status, body: await res.json() };
  }

  /** Counts everything written so far as pushed (after a test pushed documents by hand). */
  markPushed(): void {
    this.sent = this.journal.length;
  }

  /** A fresh local database on the same till: new epoch, counter from 1, nothing unpushed. */
  wipe(): void {
    this.epoch = nextId();
    this.journal = [];
    this.seq = 0;
    this.sent = 0;
    this.acked = 0;
  }
}

/**
 * Gift cards as this till sees them (shared/gift-cards.ts): the server's state of the card (its reference document
 * `giftcard:<programId>:<number>`, when the till has one) plus this database's sales and returns above the card's
 * mark for this database's epoch, through the one fold the server applies. So a card sold, spent or refunded here
 * shows its balance at once, online or offline, and a sale the server has counted is never counted twice.
 *
 * Derived, never stored. A reference document that does not parse is treated as absent (the card shows what this
 * till's own sales did to it); the server's next publication of the card replaces it.
 */
import type { Program } from '../../../shared/engine';
import { giftCardRefId, giftCardStateSchema, giftCardView, type GiftCardState } from '../../../shared/gift-cards';
import type { TillDatabase } from './database';
import { tillEpoch } from './sales';
import type { JournalRow } from './schemas';

/** The server's state of the card, or null when the till has none (a card nobody sold, or not published yet). */
async function serverGiftCard(db: TillDatabase, programId: string, number: string): Promise<GiftCardState | null> {
  const doc = await db.refdata.findOne(giftCardRefId(programId, number)).exec();
  if (!doc) return null;
  const parsed = giftCardStateSchema.safeParse(doc.data);
  return parsed.success && parsed.data.number === number ? parsed.data : null;
}

/** This database's sales and returns above `mark` that name the card in a line or a tender, in tillSeq order. */
async function salesNaming(db: TillDatabase, number: string, mark: number) {
  // Served by the ['kind', 'tillSeq'] index; the card's own test runs on the stored rows, before any is built up.
  const docs = await db.journal
    .find({
      selector: {
        kind: 'sale',
        tillSeq: { $gt: mark },
        $or: [
          { 'body.lines': { $elemMatch: { giftCard: number } } },
          { 'body.tenders': { $elemMatch: { giftCard: number } } },
        ],
      },
      sort: [{ kind: 'asc' }, { tillSeq: 'asc' }],
    })
    .exec();
  return docs.flatMap((d) => {
    const row = d.toJSON() as JournalRow;
    return row.kind === 'sale' ? [{ tillSeq: row.tillSeq, at: row.at, body: row.body }] : [];
  });
}

/** The card `number` of `program` as this till sees it (an empty card, never loaded, when it knows nothing of it). */
export async function giftCardViewOf(
  db: TillDatabase,
  program: Pick<Program, 'id' | 'giftCards'>,
  timeZone: string,
  number: string,
): Promise<GiftCardState> {
  const [server, epoch] = await Promise.all([serverGiftCard(db, program.id, number), tillEpoch(db)]);
  const mark = server?.tillMarks[epoch] ?? 0;
  return giftCardView({
    number,
    programId: program.id,
    server,
    epoch,
    sales: await salesNaming(db, number, mark),
    timeZone,
    validMonths: program.giftCards?.validMonths ?? 0,
  });
}

/** The till's view of every card in `numbers` (each once), as a sale's context wants them (shared/sale-journal.ts). */
export async function giftCardViews(
  db: TillDatabase,
  program: Pick<Program, 'id' | 'giftCards'>,
  timeZone: string,
  numbers: Iterable<string>,
): Promise<Map<string, GiftCardState>> {
  const unique = [...new Set(numbers)];
  const views = await Promise.all(unique.map((n) => giftCardViewOf(db, program, timeZone, n)));
  return new Map(unique.map((n, i) => [n, views[i]!]));
}

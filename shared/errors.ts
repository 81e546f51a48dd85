/**
 * Errors a user can meet: a stable machine code plus a message a cashier or
 * program manager understands. Codes never change meaning once shipped.
 */
export type ErrorCode =
  | 'MONEY_NOT_INTEGER'
  | 'MONEY_CURRENCY_MISMATCH'
  | 'MONEY_BAD_DIVISION'
  | 'MONEY_BAD_INPUT'
  | 'SCAN_EMPTY'
  | 'SCAN_GARBLED'
  | 'SCAN_BAD_CHECK_DIGIT'
  | 'SCAN_UNKNOWN'
  | 'CARD_NOT_FOUND'
  /** A card replaced as lost: it finds no one. */
  | 'CARD_BLOCKED'
  /** A profile edit that changes nothing. */
  | 'PROFILE_UNCHANGED'
  | 'MEMBER_NOT_FOUND'
  /** A name typed at the till that starts no word of any member's name. */
  | 'MEMBER_NAME_NOT_FOUND'
  | 'SNAPSHOT_GONE'
  /** The till's store changed which members its tills hold (partial replication): the till loads its members again. */
  | 'MEMBER_SCOPE_CHANGED'
  /** A card this till does not hold (it holds its region's members) while the server cannot be reached. */
  | 'MEMBER_ELSEWHERE_OFFLINE'
  | 'SNAPSHOT_PAGE_DAMAGED'
  | 'MEMBERS_STILL_LOADING'
  | 'PRODUCT_NOT_FOUND'
  | 'BASKET_EMPTY'
  | 'NOT_ENOUGH_POINTS'
  | 'NOT_ALLOWED'
  | 'BASKET_TOO_SMALL'
  | 'BAD_POINTS'
  | 'OFFLINE_CAP_REACHED'
  | 'PROGRAM_INVALID'
  | 'PUSH_MALFORMED'
  | 'BAD_REQUEST'
  | 'BODY_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'NOT_READY'
  | 'RATE_LIMITED'
  | 'DOCUMENT_INVALID'
  | 'PULL_BAD_CHECKPOINT'
  | 'WIRE_VERSION_UNSUPPORTED'
  | 'AUTH_MISSING'
  | 'AUTH_INVALID'
  | 'TILL_REVOKED'
  | 'CONFLICT'
  | 'ENROL_CODE_INVALID'
  | 'FORBIDDEN_STORE'
  | 'FORBIDDEN_ROLE'
  | 'NOT_FOUND'
  | 'IPC_BAD_REQUEST'
  | 'IPC_UNKNOWN_CHANNEL'
  | 'SCANNER_OPEN_FAILED'
  | 'SCANNER_PERMISSION_DENIED'
  | 'SCANNER_DISCONNECTED'
  | 'CONFIG_INVALID'
  | 'DATA_DIR_LOCKED'
  | 'DATA_DIR_DAMAGED'
  | 'PIN_WEAK'
  | 'PIN_WRONG'
  | 'PIN_LOCKED'
  | 'SUPERVISOR_REQUIRED'
  | 'RECEIPT_NOT_FOUND'
  | 'RETURN_NEEDS_SERVER'
  | 'RECEIPT_FLOOR_UNAVAILABLE'
  | 'SHIFT_NOT_OPEN'
  | 'SHIFT_ALREADY_OPEN'
  | 'SHIFT_BAD_AMOUNT'
  | 'SHIFT_REASON_NEEDED'
  | 'SHIFT_CASH_SHORT'
  | 'ADJUST_BAD_POINTS'
  | 'ADJUST_REASON_MISSING'
  /** A digital member card the till refuses (shared/digital-card.ts). */
  | 'DIGITAL_CARD_GARBLED'
  | 'DIGITAL_CARD_KEY_UNKNOWN'
  | 'DIGITAL_CARD_FORGED'
  | 'DIGITAL_CARD_EXPIRED'
  | 'DIGITAL_CARD_REPLAYED'
  /** A household join the till refuses: the member with themselves, or one already sharing an account. */
  | 'HOUSEHOLD_SELF'
  | 'HOUSEHOLD_ALREADY'
  | 'DATABASE_UNREACHABLE'
  | 'DATABASE_IN_USE'
  | 'PG_TOOLS_MISSING'
  | 'BACKUP_SOURCE_EMPTY'
  | 'BACKUP_FILE_EXISTS'
  | 'BACKUP_FAILED'
  | 'BACKUP_INVALID'
  | 'BACKUP_WRONG_BACKEND'
  | 'BACKUP_SCHEMA_NEWER'
  | 'RESTORE_TARGET_NOT_EMPTY'
  | 'RESTORE_FAILED'
  | 'ENROL_FIELD_INVALID'
  | 'CARD_IN_USE'
  | 'CARD_RANGE_EXHAUSTED'
  | 'REFERRER_NOT_FOUND'
  /** The member's eWallet (shared/engine/wallet.ts): not in the program, not enough on it, over the offline cap or the balance limit. */
  | 'WALLET_NOT_OFFERED'
  | 'WALLET_INSUFFICIENT'
  | 'WALLET_OFFLINE_CAP'
  | 'WALLET_OVER_LIMIT'
  | 'WALLET_BAD_AMOUNT'
  /** Single-use coupons (shared/coupons.ts): a batch the program has no promotion for. */
  | 'COUPON_BATCH_UNKNOWN'
  /** Gift cards (shared/gift-cards.ts): none in the program, a number not the store's, a card never sold or expired, not enough on it, over the offline cap or its most. */
  | 'GIFT_CARD_NOT_OFFERED'
  | 'GIFT_CARD_BAD_NUMBER'
  | 'GIFT_CARD_UNKNOWN'
  | 'GIFT_CARD_EXPIRED'
  | 'GIFT_CARD_INSUFFICIENT'
  | 'GIFT_CARD_OFFLINE_CAP'
  | 'GIFT_CARD_OVER_LIMIT'
  | 'GIFT_CARD_BAD_AMOUNT'
  | 'INTERNAL';

export class KassaError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'KassaError';
    this.code = code;
    this.details = details;
  }
}

export const isKassaError = (e: unknown): e is KassaError => e instanceof KassaError;

/** Wire shape of an error, used by the server and the IPC contract alike. */
export type ErrorBody = { error: { code: string; message: string; details?: unknown } };

export const errorBody = (e: KassaError): ErrorBody => ({
  error: { code: e.code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) },
});

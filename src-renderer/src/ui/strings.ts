/**
 * Every string the cashier reads, in one place, in the till's language (src-renderer/src/i18n: English, Russian,
 * Bulgarian). Read at render time: a change of language re-renders the screen and every text follows.
 */
import type { BurstRejection, ScannerStatus } from '../../../shared/ipc';
import type { PerkKind, QuoteError, SayCode, SayParams } from '../../../shared/engine';
import { language, tr } from '../i18n';
import { formatMoney } from '../../../shared/money';
import type { HistoryReason } from '../../../shared/history';
import type { KeypadProblem } from '../features/sale/keypad';
import type { MemberLookup } from '../db/members';
import type { GiftCardProblem } from '../features/sale/gift-card-tender';

/** Money as the till's language writes it: `12.50 EUR`, `12,50 EUR` (integer minor units throughout). */
export function localMoney(minor: number, currency: string): string {
  const text = formatMoney({ minor, currency });
  return language() === 'en' ? text : text.replace('.', ',');
}

/** One thing the engine said (an explanation step or a refusal), in the till's language. */
export function say(code: SayCode, params: SayParams, currency: string): string {
  const values: SayParams = {};
  for (const [name, value] of Object.entries(params))
    values[name] = name.endsWith('Minor') && typeof value === 'number' ? localMoney(value, currency) : value;
  return tr(`say.${code}`, values);
}

/**
 * A gift card number as printed where anyone holding the paper could read it (a tender, a balance): its last four
 * characters. The number is what spends the card, so only the receipt line of a card sold prints it whole (the
 * buyer needs it to give the card, reload it or ask about it).
 */
export function maskedGiftCard(number: string): string {
  return `…${number.slice(-4)}`;
}

/** Why a top-up amount was refused (shared/engine/wallet.ts, shared/money.ts). */
export type TopUpProblem = 'MONEY_BAD_INPUT' | 'WALLET_BAD_AMOUNT' | 'WALLET_OVER_LIMIT';

export type DigitalCardProblem =
  | 'DIGITAL_CARD_GARBLED'
  | 'DIGITAL_CARD_KEY_UNKNOWN'
  | 'DIGITAL_CARD_FORGED'
  | 'DIGITAL_CARD_EXPIRED'
  | 'DIGITAL_CARD_REPLAYED';

/** Why a typed card, phone or name found no one member, in the till's language. */
export function lookupProblem(found: Exclude<MemberLookup, { kind: 'found' | 'by-name' }>, code: string): string {
  switch (found.kind) {
    case 'ambiguous':
      return t.phoneAmbiguous(code);
    case 'blocked':
      return tr('cardBlocked', { code });
    case 'still-loading':
      return t.membersStillLoading(code);
    case 'elsewhere-offline':
      return t.memberElsewhereOffline(code);
    case 'name-not-found':
      return t.memberNameNotFound(code);
    case 'not-found':
      return found.asPhone ? t.memberNotFound(code) : t.cardNotFound(code);
  }
}

/** A refused redemption, in the till's language. */
export function quoteError(e: QuoteError, currency: string): string {
  return say(e.say, e.params, currency);
}

export const t = {
  get appName() {
    return tr('appName');
  },
  get starting() {
    return tr('starting');
  },
  get browserMode() {
    return tr('browserMode');
  },
  get online() {
    return tr('online');
  },
  get offline() {
    return tr('offline');
  },
  get allSynced() {
    return tr('allSynced');
  },
  get neverSynced() {
    return tr('neverSynced');
  },
  get membersStarting() {
    return tr('membersStarting');
  },
  get membersNotReady() {
    return tr('membersNotReady');
  },
  get foundOnline() {
    return tr('foundOnline');
  },
  get foundOnlineElsewhere() {
    return tr('foundOnlineElsewhere');
  },
  get notEnrolled() {
    return tr('notEnrolled');
  },
  get scanCard() {
    return tr('scanCard');
  },
  get lookup() {
    return tr('lookup');
  },
  get useThisCode() {
    return tr('useThisCode');
  },
  get scanAgain() {
    return tr('scanAgain');
  },
  get noMember() {
    return tr('noMember');
  },
  /** The word after a number of points, in the number's plural form. */
  pointsUnit: (n: number) => tr('pointsUnit', { count: n }),
  get tier() {
    return tr('tier');
  },
  get basket() {
    return tr('basket');
  },
  get emptyBasket() {
    return tr('emptyBasket');
  },
  get total() {
    return tr('total');
  },
  get subtotal() {
    return tr('subtotal');
  },
  get discount() {
    return tr('discount');
  },
  get explain() {
    return tr('explain');
  },
  get hideExplain() {
    return tr('hideExplain');
  },
  get rewards() {
    return tr('rewards');
  },
  get payWithPoints() {
    return tr('payWithPoints');
  },
  get apply() {
    return tr('apply');
  },
  get clearRedeem() {
    return tr('clearRedeem');
  },
  get promoCode() {
    return tr('promoCode');
  },
  removeCode: (code: string) => tr('removeCode', { code }),
  get pay() {
    return tr('pay');
  },
  walletBalance: (amount: string) => tr('walletBalance', { amount }),
  walletAfter: (amount: string) => tr('walletAfter', { amount }),
  get topUpButton() {
    return tr('topUpButton');
  },
  topUpTitle: (name: string) => tr('topUpTitle', { name }),
  get topUpAmount() {
    return tr('topUpAmount');
  },
  topUpLimits: (balance: string, min: string, room: string) => tr('topUpLimits', { balance, min, room }),
  get topUpRemove() {
    return tr('topUpRemove');
  },
  get topUpLine() {
    return tr('topUpLine');
  },
  topUpProblem: (code: TopUpProblem, params: { min: string; room: string }) => tr(`topUp.${code}`, params),
  get wallet() {
    return tr('wallet');
  },
  get cash() {
    return tr('cash');
  },
  get card() {
    return tr('card');
  },
  get cancel() {
    return tr('cancel');
  },
  get remove() {
    return tr('remove');
  },
  get receipt() {
    return tr('receipt');
  },
  get scannerDisconnected() {
    return tr('scannerDisconnected');
  },
  get typeCode() {
    return tr('typeCode');
  },
  get add() {
    return tr('add');
  },
  get clearMember() {
    return tr('clearMember');
  },
  get newSale() {
    return tr('newSale');
  },
  get scannerSettings() {
    return tr('scannerSettings');
  },
  get loadingDevices() {
    return tr('loadingDevices');
  },
  get noDevices() {
    return tr('noDevices');
  },
  get device() {
    return tr('device');
  },
  get usagePage() {
    return tr('usagePage');
  },
  get mode() {
    return tr('mode');
  },
  get useThis() {
    return tr('useThis');
  },
  get reportLayout() {
    return tr('reportLayout');
  },
  get layoutAim() {
    return tr('layoutAim');
  },
  get layoutNewland() {
    return tr('layoutNewland');
  },
  get keyboardScanners() {
    return tr('keyboardScanners');
  },
  get wedgeMaxInterKey() {
    return tr('wedgeMaxInterKey');
  },
  get wedgeMinLength() {
    return tr('wedgeMinLength');
  },
  get wedgeQuiet() {
    return tr('wedgeQuiet');
  },
  get wedgeNoSuffix() {
    return tr('wedgeNoSuffix');
  },
  get save() {
    return tr('save');
  },
  get saved() {
    return tr('saved');
  },
  get close() {
    return tr('close');
  },
  get signIn() {
    return tr('signIn');
  },
  get signInFirst() {
    return tr('signInFirst');
  },
  get signOut() {
    return tr('signOut');
  },
  get screenLocked() {
    return tr('screenLocked');
  },
  get who() {
    return tr('who');
  },
  get pin() {
    return tr('pin');
  },
  get reason() {
    return tr('reason');
  },
  get confirm() {
    return tr('confirm');
  },
  get roleCashier() {
    return tr('roleCashier');
  },
  get roleSupervisor() {
    return tr('roleSupervisor');
  },
  get noStaff() {
    return tr('noStaff');
  },
  get pinWrong() {
    return tr('pinWrong');
  },
  get voidSale() {
    return tr('voidSale');
  },
  get reasonNeeded() {
    return tr('reasonNeeded');
  },
  get voided() {
    return tr('voided');
  },
  get amountGiven() {
    return tr('amountGiven');
  },
  get amountHint() {
    return tr('amountHint');
  },
  get paid() {
    return tr('paid');
  },
  get due() {
    return tr('due');
  },
  get change() {
    return tr('change');
  },
  get paidWith() {
    return tr('paidWith');
  },
  get print() {
    return tr('print');
  },
  get findProduct() {
    return tr('findProduct');
  },
  get perKg() {
    return tr('perKg');
  },
  get badWeight() {
    return tr('badWeight');
  },
  get scanDuringPayment() {
    return tr('scanDuringPayment');
  },
  get hidPosAdvice() {
    return tr('hidPosAdvice');
  },
  get returnButton() {
    return tr('returnButton');
  },
  get returnTitle() {
    return tr('returnTitle');
  },
  get returnReceiptField() {
    return tr('returnReceiptField');
  },
  get returnFind() {
    return tr('returnFind');
  },
  get returnItem() {
    return tr('returnItem');
  },
  get returnSold() {
    return tr('returnSold');
  },
  get returnLeft() {
    return tr('returnLeft');
  },
  get returnQty() {
    return tr('returnQty');
  },
  get returnRefund() {
    return tr('returnRefund');
  },
  get returnNeedsSupervisor() {
    return tr('returnNeedsSupervisor');
  },
  get returnPickFirst() {
    return tr('returnPickFirst');
  },
  get returnConfirm() {
    return tr('returnConfirm');
  },
  get returnDone() {
    return tr('returnDone');
  },
  get returnScanRefused() {
    return tr('returnScanRefused');
  },
  startFailed: (why: string) => tr('startFailed', { why }),
  parked: (n: number) => tr('parked', { n }),
  tillRefused: (why: string) => tr('tillRefused', { why }),
  lastSync: (time: string) => tr('lastSync', { time }),
  loading: (n: number) => tr('loading', { n }),
  membersLoading: (loaded: string, total: string) => tr('membersLoading', { loaded, total }),
  membersRate: (perSecond: string) => tr('membersRate', { perSecond }),
  membersLeft: (time: string) => tr('membersLeft', { time }),
  membersIndexing: (percent: string) => tr('membersIndexing', { percent }),
  membersReady: (n: string) => tr('membersReady', { n }),
  membersStillLoading: (code: string) => tr('membersStillLoading', { code }),
  memberElsewhereOffline: (code: string) => tr('memberElsewhereOffline', { code }),
  membersReadyRegion: (n: string) => tr('membersReadyRegion', { n }),
  cardNotFound: (code: string) => tr('cardNotFound', { code }),
  memberNotFound: (code: string) => tr('memberNotFound', { code }),
  phoneAmbiguous: (code: string) => tr('phoneAmbiguous', { code }),
  productNotFound: (code: string) => tr('productNotFound', { code }),
  badScan: (reason: string) => tr('badScan', { reason }),
  earns: (n: number) => tr('earns', { n }),
  increase: (name: string) => tr('increase', { name }),
  decrease: (name: string) => tr('decrease', { name }),
  earned: (n: number) => tr('earned', { n }),
  redeemed: (n: number) => tr('redeemed', { n }),
  donated: (amount: string, cause: string) => tr('donated', { amount, cause }),
  newBalance: (n: number) => tr('newBalance', { n }),
  youSaved: (amount: string) => tr('youSaved', { amount }),
  signedInAs: (name: string) => tr('signedInAs', { name }),
  pinLocked: (name: string, until: string) => tr('pinLocked', { name, until }),
  supervisorNeeded: (what: string) => tr('supervisorNeeded', { what }),
  voidWhat: (total: string) => tr('voidWhat', { total }),
  changeGiven: (amount: string) => tr('changeGiven', { amount }),
  tenderLine: (kind: string, amount: string) => tr('tenderLine', { kind, amount }),
  tenderedLine: (kind: string, amount: string, given: string) => tr('tenderedLine', { kind, amount, given }),
  removeTender: (what: string) => tr('removeTender', { what }),
  reprint: (label: string) => tr('reprint', { label }),
  receiptNumber: (label: string) => tr('receiptNumber', { label }),
  tillName: (tillId: string) => tr('tillName', { tillId }),
  cashierName: (name: string) => tr('cashierName', { name }),
  noProductFound: (text: string) => tr('noProductFound', { text }),
  weightOf: (name: string) => tr('weightOf', { name }),
  returnNotAReceipt: (text: string) => tr('returnNotAReceipt', { text }),
  returnQtyOf: (name: string) => tr('returnQtyOf', { name }),
  returnRefundedTo: (tenders: string) => tr('returnRefundedTo', { tenders }),
  returnPointsReversed: (n: number) => tr('returnPointsReversed', { n }),
  returnPointsRestored: (n: number) => tr('returnPointsRestored', { n }),
  returnWhat: (amount: string) => tr('returnWhat', { amount }),
  returnReceipt: (label: string) => tr('returnReceipt', { label }),
  returnOf: (label: string) => tr('returnOf', { label }),
  returnRecorded: (amount: string) => tr('returnRecorded', { amount }),
  waiting: (n: number) => tr('waiting', { count: n }),
  scanRejected: (data: string, why: string) =>
    data ? tr('scanRejectedRead', { data, why }) : tr('scanRejectedUnread', { why }),
  rejection: (r: BurstRejection): string => {
    switch (r.code) {
      case 'too-slow':
        return tr('rejectTooSlow', { maxGapMs: r.maxGapMs, limitMs: r.limitMs });
      case 'too-short':
        return tr('rejectTooShort', { length: r.length, minLength: r.minLength });
      case 'no-suffix':
        return tr('rejectNoSuffix');
      case 'lost-report':
        return tr('rejectLostReport');
    }
  },
  saleDone: (total: string, points: number) =>
    points ? tr('saleDonePoints', { total, points }) : tr('saleDone', { total }),
  tenderProblem: (
    code: 'TENDER_NOT_POSITIVE' | 'TENDER_OVER_DUE' | 'SALE_COVERED' | 'WALLET_SHORT' | 'MONEY_BAD_INPUT',
  ) => {
    switch (code) {
      case 'WALLET_SHORT':
        return tr('tenderWalletShort');
      case 'TENDER_NOT_POSITIVE':
        return tr('tenderNotPositive');
      case 'TENDER_OVER_DUE':
        return tr('tenderOverDue');
      case 'SALE_COVERED':
        return tr('tenderCovered');
      case 'MONEY_BAD_INPUT':
        return tr('tenderBadInput');
    }
  },
  returnSaleFound: (label: string, fromServer: boolean) =>
    fromServer ? tr('returnFoundServer', { label }) : tr('returnFoundTill', { label }),
  returnError: (code: string, message: string) =>
    code === 'RETURN_NEEDS_SERVER'
      ? tr('returnErrorOffline', { message, code })
      : tr('returnErrorCode', { message, code: code === 'NOT_ALLOWED' ? 'RETURN_NOT_ALLOWED' : code }),
  get language() {
    return tr('language');
  },
  get vatRate() {
    return tr('vatRate');
  },
  get vatNet() {
    return tr('vatNet');
  },
  get vat() {
    return tr('vat');
  },
  get vatGross() {
    return tr('vatGross');
  },
  expiringOn: (n: number, date: string) => tr('expiringOn', { n, date }),
  nextTierPoints: (n: number, tier: string) => tr('panel.nextTierPoints', { n, tier }),
  nextTierSpend: (amount: string, tier: string) => tr('panel.nextTierSpend', { amount, tier }),
  expiringSoon: (n: number, date: string) => tr('panel.expiring', { n, date }),
  stampsOn: (card: string, n: number, every: number) => tr('panel.stamps', { card, n, every }),
  stampsFree: (card: string) => tr('panel.stampsFree', { card }),
  offerBadge: (name: string) => tr('panel.offer', { name }),
  get birthdayToday() {
    return tr('panel.birthdayToday');
  },
  birthdayOn: (date: string) => tr('panel.birthday', { date }),
  membershipLeft: (plan: string, days: number) => tr('panel.membership', { plan, count: days }),
  membershipLapsed: (plan: string, date: string) => tr('panel.membershipLapsed', { plan, date }),
  sharedAccount: (name: string) => tr('panel.shared', { name }),
  get memberExtras() {
    return tr('panel.extras');
  },
  perkKind: (kind: PerkKind) => tr(`perk.${kind}`),
  get keypad() {
    return tr('keypad');
  },
  get keyQuantity() {
    return tr('keyQuantity');
  },
  get keyWeight() {
    return tr('keyWeight');
  },
  get keyPrice() {
    return tr('keyPrice');
  },
  get keyDiscount() {
    return tr('keyDiscount');
  },
  get quickKeys() {
    return tr('quickKeys');
  },
  quickKeyNeedsWeight: (name: string) => tr('quickKeyNeedsWeight', { name }),
  priceOverrideWhat: (name: string, price: string, from: string) => tr('priceOverrideWhat', { name, price, from }),
  discountWhat: (name: string, percent: number) => tr('discountWhat', { name, percent }),
  priceWas: (from: string, reason: string) => tr('priceWas', { from, reason }),
  basketRestored: (n: number) => tr('basketRestored', { n }),
  get basketAlreadySold() {
    return tr('basketAlreadySold');
  },
  basketUnreadable: (message: string) => tr('basketUnreadable', { message }),
  keypadProblem: (code: KeypadProblem) => tr(`keypad.${code}`),
  /** Suggested reasons for a discount or a price change (the cashier may type another). */
  get discountReasons() {
    return (['damaged', 'nearExpiry', 'priceMatch', 'shelfPrice', 'goodwill'] as const).map((r) => tr(`reason.${r}`));
  },
  /** A tender's name: cash, card, the eWallet, or a gift card (its number masked). */
  tenderKind: (kind: 'cash' | 'card' | 'wallet' | 'giftcard', giftCard?: string) =>
    kind === 'giftcard' ? tr('giftCardNamed', { card: maskedGiftCard(giftCard ?? '') }) : tr(kind),
  /** Gift cards: the dialog (F5), the sale's lines, the pay dialog's tender and the receipt. */
  get giftCardButton() {
    return tr('giftCardButton');
  },
  get giftCardScanLater() {
    return tr('giftCardScanLater');
  },
  get giftCardTitle() {
    return tr('giftCardTitle');
  },
  get giftCardNumber() {
    return tr('giftCardNumber');
  },
  get giftCardCheck() {
    return tr('giftCardCheck');
  },
  get giftCardNew() {
    return tr('giftCardNew');
  },
  giftCardBalance: (amount: string) => tr('giftCardBalance', { amount }),
  giftCardValidUntil: (date: string) => tr('giftCardValidUntil', { date }),
  giftCardExpiredOn: (date: string) => tr('giftCardExpiredOn', { date }),
  get giftCardNoExpiry() {
    return tr('giftCardNoExpiry');
  },
  get giftCardNotSold() {
    return tr('giftCardNotSold');
  },
  giftCardOfflineToday: (amount: string) => tr('giftCardOfflineToday', { amount }),
  get giftCardAmount() {
    return tr('giftCardAmount');
  },
  giftCardLimits: (min: string, room: string) => tr('giftCardLimits', { min, room }),
  get giftCardAdd() {
    return tr('giftCardAdd');
  },
  get giftCardRemove() {
    return tr('giftCardRemove');
  },
  /** A gift card line of the sale and the receipt: the card's whole number. */
  giftCardLine: (card: string) => tr('giftCardNamed', { card }),
  giftCardRemoveLine: (card: string) => tr('giftCardRemoveLine', { card }),
  giftCardOnSale: (card: string, amount: string) => tr('giftCardOnSale', { card, amount }),
  /** What is left on a card after the sale, as the receipt prints it. */
  giftCardAfter: (card: string, amount: string, validUntil: string | null) =>
    validUntil
      ? tr('giftCardAfter', { card: maskedGiftCard(card), amount, date: validUntil })
      : tr('giftCardAfterNoExpiry', { card: maskedGiftCard(card), amount }),
  get payGiftCard() {
    return tr('payGiftCard');
  },
  get payGiftCardTitle() {
    return tr('payGiftCardTitle');
  },
  payGiftCardMay: (amount: string, balance: string) => tr('payGiftCardMay', { amount, balance }),
  get payGiftCardAmount() {
    return tr('payGiftCardAmount');
  },
  get giftCardBadInput() {
    return tr('giftCard.MONEY_BAD_INPUT');
  },
  /** A gift card refused (shared/gift-cards.ts, features/sale/gift-card-tender.ts), with its code. */
  giftCardProblem: (p: GiftCardProblem, currency: string, card = ''): string => {
    const amount = (minor: number) => localMoney(minor, currency);
    switch (p.code) {
      case 'TENDER_NOT_POSITIVE':
      case 'TENDER_OVER_DUE':
      case 'SALE_COVERED':
        return t.tenderProblem(p.code);
      case 'GIFT_CARD_BAD_AMOUNT':
        return tr(`giftCard.BAD_AMOUNT.${p.why}`, { card, amount: amount(p.minLoadMinor ?? 0) });
      case 'GIFT_CARD_EXPIRED':
        return tr('giftCard.GIFT_CARD_EXPIRED', {
          card,
          date: p.validUntil
            ? new Intl.DateTimeFormat(language(), { dateStyle: 'medium', timeZone: 'UTC' }).format(
                new Date(`${p.validUntil}T12:00:00Z`),
              )
            : '',
        });
      case 'GIFT_CARD_INSUFFICIENT':
      case 'GIFT_CARD_OFFLINE_CAP':
        return tr(`giftCard.${p.code}`, { card, amount: amount(p.spendableMinor) });
      case 'GIFT_CARD_OVER_LIMIT':
        return tr('giftCard.GIFT_CARD_OVER_LIMIT', { card, amount: amount(p.roomMinor) });
      default:
        return tr(`giftCard.${p.code}`, { card });
    }
  },
  /** A digital member card refused, or taken. */
  digitalCardProblem: (code: DigitalCardProblem) => tr(`digitalCard.${code}`),
  digitalCardAccepted: (name: string) => tr('digitalCardAccepted', { name }),
  /** Changing the member's contact details or consent. */
  get profileButton() {
    return tr('profileButton');
  },
  profileTitle: (name: string) => tr('profileTitle', { name }),
  get profileNewPhone() {
    return tr('profileNewPhone');
  },
  get profileNewEmail() {
    return tr('profileNewEmail');
  },
  get profileMarketing() {
    return tr('profileMarketing');
  },
  get profileMarketingKeep() {
    return tr('profileMarketingKeep');
  },
  get profileMarketingYes() {
    return tr('profileMarketingYes');
  },
  get profileMarketingNo() {
    return tr('profileMarketingNo');
  },
  get profileUnchanged() {
    return tr('profileUnchanged');
  },
  profileDone: (name: string) => tr('profileDone', { name }),
  /** Replacing the member's lost card. */
  get cardReplaceButton() {
    return tr('cardReplaceButton');
  },
  cardReplaceTitle: (name: string, card: string) => tr('cardReplaceTitle', { name, card }),
  cardReplaceWhat: (name: string, card: string) => tr('cardReplaceWhat', { name, card }),
  get cardReplaceKeeps() {
    return tr('cardReplaceKeeps');
  },
  get cardReplaceConfirm() {
    return tr('cardReplaceConfirm');
  },
  cardReplaceDone: (name: string, card: string) => tr('cardReplaceDone', { name, card }),
  /** Joining the member on the sale to a household (F11). */
  get householdButton() {
    return tr('householdButton');
  },
  householdTitle: (name: string) => tr('householdTitle', { name }),
  get householdFind() {
    return tr('householdFind');
  },
  get householdFindButton() {
    return tr('householdFindButton');
  },
  householdPreview: (p: { name: string; holder: string; points: number; total: number }) => tr('householdPreview', p),
  get householdConfirm() {
    return tr('householdConfirm');
  },
  householdWhat: (name: string, holder: string) => tr('householdWhat', { name, holder }),
  householdDone: (name: string, holder: string, total: number) => tr('householdDone', { name, holder, total }),
  /** A household join the till refuses, or a member it cannot find for one. */
  householdProblem: (code: 'HOUSEHOLD_SELF' | 'HOUSEHOLD_ALREADY' | 'MEMBER_NOT_FOUND' | 'MANY', text = '') =>
    tr(`household.${code}`, { text }),
  get adjustPoints() {
    return tr('adjustPoints');
  },
  adjustPointsTitle: (name: string) => tr('adjustPointsTitle', { name }),
  get adjustPointsAmount() {
    return tr('adjustPointsAmount');
  },
  adjustPointsBalance: (balance: number, after: number) => tr('adjustPointsBalance', { balance, after }),
  adjustPointsDone: (points: string, balance: number) => tr('adjustPointsDone', { points, balance }),
  adjustPointsWhat: (points: string, name: string) => tr('adjustPointsWhat', { points, name }),
  /** A refused points adjustment (shared/staff/points-adjust.ts), in the till's language. */
  adjustProblem: (code: 'ADJUST_BAD_POINTS' | 'ADJUST_REASON_MISSING' | 'NOT_ENOUGH_POINTS', params: SayParams) =>
    tr(`adjust.${code}`, params),
  /** Suggested reasons for a points adjustment (the supervisor may type another). */
  get adjustReasons() {
    return (['goodwill', 'missing', 'wrongCard', 'complaint'] as const).map((r) => tr(`adjustReason.${r}`));
  },
  /** Enrolling a new member (F6). */
  get enrolButton() {
    return tr('enrolButton');
  },
  get enrolTitle() {
    return tr('enrolTitle');
  },
  get enrolCard() {
    return tr('enrolCard');
  },
  enrolCardNew: (card: string) => tr('enrolCardNew', { card }),
  get enrolCardNone() {
    return tr('enrolCardNone');
  },
  get enrolCardPrinted() {
    return tr('enrolCardPrinted');
  },
  enrolCardsLow: (count: number) => tr('enrolCardsLow', { count }),
  get enrolName() {
    return tr('enrolName');
  },
  /** The phone label names the country a number without +code is taken in. */
  enrolPhone: (country: string | null) => (country ? tr('enrolPhoneIn', { country }) : tr('enrolPhone')),
  get enrolEmail() {
    return tr('enrolEmail');
  },
  get enrolBirthday() {
    return tr('enrolBirthday');
  },
  get enrolBirthdayExample() {
    return tr('enrolBirthdayExample');
  },
  get enrolReferrer() {
    return tr('enrolReferrer');
  },
  /** The marketing consent as the member hears it (shared/enrolment.ts CONSENT_TEXT_VERSION names this text). */
  get enrolConsent() {
    return tr('enrolConsent');
  },
  get enrolSubmit() {
    return tr('enrolSubmit');
  },
  enrolDone: (name: string, card: string, points: number) =>
    points > 0 ? tr('enrolDoneBonus', { name, card, points }) : tr('enrolDone', { name, card }),
  enrolFieldProblem: (field: 'cardNumber' | 'name' | 'phone' | 'email' | 'birthday', value: string) =>
    tr(`enrol.field.${field}`, { value }),
  enrolProblem: (code: string, value: string) =>
    ['CARD_IN_USE', 'CARD_RANGE_EXHAUSTED', 'REFERRER_NOT_FOUND'].includes(code)
      ? tr(`enrol.${code}`, { value })
      : tr('enrol.other', { code }),
  get enrolScanOnly() {
    return tr('enrolScanOnly');
  },
  /** The member's history (F10). */
  get historyButton() {
    return tr('historyButton');
  },
  historyTitle: (name: string) => tr('historyTitle', { name }),
  get historyLoading() {
    return tr('historyLoading');
  },
  get historyFromServer() {
    return tr('historyFromServer');
  },
  historyFromCache: (time: string) => tr('historyFromCache', { time }),
  get historyOwnOnly() {
    return tr('historyOwnOnly');
  },
  get historyPurchases() {
    return tr('historyPurchases');
  },
  get historyNoPurchases() {
    return tr('historyNoPurchases');
  },
  get historyReturnMark() {
    return tr('historyReturnMark');
  },
  get historyReturnHint() {
    return tr('historyReturnHint');
  },
  get historyPoints() {
    return tr('historyPoints');
  },
  get historyNoPoints() {
    return tr('historyNoPoints');
  },
  historyReason: (reason: HistoryReason) => tr(`historyReason.${reason}`),
  /** The shift dialog (F8) and its X and Z reports. */
  get shiftMenu() {
    return tr('shift.menu');
  },
  get shiftNone() {
    return tr('shift.none');
  },
  get shiftNeeded() {
    return tr('shift.needed');
  },
  shiftBadge: (n: number) => tr('shift.badge', { n }),
  shiftTitle: (n: number) => tr('shift.title', { n }),
  get shiftOpenTitle() {
    return tr('shift.openTitle');
  },
  get shiftFloat() {
    return tr('shift.float');
  },
  shiftFloatWas: (amount: string) => tr('shift.floatWas', { amount }),
  get shiftOpen() {
    return tr('shift.open');
  },
  get shiftCashIn() {
    return tr('shift.cashIn');
  },
  get shiftCashOut() {
    return tr('shift.cashOut');
  },
  get shiftAmount() {
    return tr('shift.amount');
  },
  get shiftXReport() {
    return tr('shift.xReport');
  },
  get shiftClose() {
    return tr('shift.close');
  },
  shiftCloseTitle: (n: number) => tr('shift.closeTitle', { n }),
  get shiftCounted() {
    return tr('shift.counted');
  },
  get shiftDifferenceReason() {
    return tr('shift.differenceReason');
  },
  shiftCashOutWhat: (amount: string) => tr('shift.cashOutWhat', { amount }),
  shiftCloseWhat: (difference: string) => tr('shift.closeWhat', { difference }),
  shiftCashDone: (kind: 'cash-in' | 'cash-out', amount: string) => tr(`shift.done.${kind}`, { amount }),
  shiftLastZ: (n: number) => tr('shift.lastZ', { n }),
  shiftXTitle: (n: number) => tr('shift.xTitle', { n }),
  shiftZTitle: (n: number) => tr('shift.zTitle', { n }),
  shiftOpenedAt: (time: string) => tr('shift.openedAt', { time }),
  shiftClosedAt: (time: string) => tr('shift.closedAt', { time }),
  get shiftByTender() {
    return tr('shift.byTender');
  },
  get shiftPoints() {
    return tr('shift.points');
  },
  get shiftMovements() {
    return tr('shift.movements');
  },
  get shiftDrawer() {
    return tr('shift.drawer');
  },
  shiftMovement: (kind: 'cash-in' | 'cash-out', amount: string, reason: string) =>
    tr(`shift.movement.${kind}`, { amount, reason }),
  /** A row of an X or Z report. */
  shiftRow: (
    key:
      | 'floatMinor'
      | 'salesCount'
      | 'salesMinor'
      | 'discountMinor'
      | 'returnsCount'
      | 'returnsMinor'
      | 'cashTakenMinor'
      | 'changeMinor'
      | 'cardMinor'
      | 'pointsTenderMinor'
      | 'walletMinor'
      | 'giftCardMinor'
      | 'storedValueSoldMinor'
      | 'cashRefundMinor'
      | 'cardRefundMinor'
      | 'walletRefundMinor'
      | 'giftCardRefundMinor'
      | 'cashInMinor'
      | 'cashOutMinor'
      | 'byCash'
      | 'byCard'
      | 'byPoints'
      | 'byWallet'
      | 'byGiftCard'
      | 'pointsIssued'
      | 'pointsRedeemed'
      | 'pointsReversed'
      | 'pointsRestored'
      | 'expectedCashMinor'
      | 'countedCashMinor'
      | 'differenceMinor',
  ) => tr(`shift.row.${key}`),
  /** A refused shift action (db/shifts.ts, shared/shift.ts), with its code; `expected` is the cash the drawer holds. */
  shiftProblem: (code: string, expected: string) =>
    tr(`shift.problem.${code}`, { expected, defaultValue: tr('shift.problem.other', { code }) }),
  /** The scanner's status in the till's language (the host's English `message` where it sent no code). */
  scannerStatus: (status: ScannerStatus) =>
    status.say ? tr(`scannerSay.${status.say.code}`, { ...status.say.params }) : status.message,
  // Finding a member by name (MemberSearch.tsx).
  memberNameNotFound: (text: string) => tr('memberSearch.notFound', { text }),
  memberSearchTitle: (text: string) => tr('memberSearch.title', { text }),
  get memberSearchMore() {
    return tr('memberSearch.more');
  },
  memberSearchCard: (last: string) => tr('memberSearch.card', { last }),
  get memberSearchKeys() {
    return tr('memberSearch.keys');
  },
  get memberSearchClose() {
    return tr('memberSearch.close');
  },
};

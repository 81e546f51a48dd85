/** Every string the cashier reads, in one place (ready for translation). */
import type { BurstRejection } from '../../../shared/ipc';

export const t = {
  appName: 'Kassa',
  starting: 'Starting the till…',
  startFailed: (why: string) => `The till could not start (${why}). Restart it; if this stays, call support.`,
  browserMode: 'Browser mode',
  online: 'Online',
  offline: 'Offline',
  waiting: (n: number) => (n === 1 ? '1 waiting to sync' : `${n} waiting to sync`),
  parked: (n: number) => `${n} held for review at head office`,
  tillRefused: (why: string) => `Not syncing: ${why}. Sales are kept on this till until head office re-enrols it.`,
  allSynced: 'All synced',
  lastSync: (time: string) => `Last sync ${time}`,
  neverSynced: 'Not synced yet',
  loading: (n: number) => `Loading store data… ${n} records`,
  membersLoading: (loaded: string, total: string) => `Loading members: ${loaded} of ${total}`,
  membersRate: (perSecond: string) => `${perSecond}/s`,
  membersLeft: (time: string) => `about ${time} left`,
  membersStarting: 'Loading members…',
  membersIndexing: (percent: string) => `Preparing the member index: ${percent}`,
  membersNotReady: 'Members still loading',
  membersReady: (n: string) => `${n} members on this till`,
  membersStillLoading: (code: string) =>
    `Member list still loading and the server cannot be reached: ${code} cannot be checked yet. Sell without the card, or try again shortly.`,
  foundOnline: 'Found on the central server (this till is still loading its member list)',
  notEnrolled: 'This till is not enrolled yet. Check the server address and enrolment code.',
  scanCard: 'Scan a member card, or type a card or phone number',
  lookup: 'Find member',
  cardNotFound: (code: string) => `Card not found: ${code}`,
  memberNotFound: (code: string) => `No member with card or phone number ${code}`,
  phoneAmbiguous: (code: string) => `More than one member has the phone number ${code}: scan the member's card`,
  productNotFound: (code: string) => `Product not found: ${code}`,
  badScan: (reason: string) => `Scan not recognised — ${reason}`,
  scanRejected: (data: string, why: string) =>
    data ? `The scanner read “${data}”, but ${why}.` : `Scan not read: ${why}. Scan again.`,
  rejection: (r: BurstRejection): string => {
    switch (r.code) {
      case 'too-slow':
        return `its keys came too slowly (a gap of ${r.maxGapMs} ms; this till allows ${r.limitMs} ms)`;
      case 'too-short':
        return `it has ${r.length} characters and this till takes codes of ${r.minLength} or more`;
      case 'no-suffix':
        return 'it did not end with Enter or Tab';
      case 'lost-report':
        return 'part of it was lost on the way from the scanner';
    }
  },
  useThisCode: 'Use this code',
  scanAgain: 'Scan again',
  noMember: 'No member',
  points: 'points',
  tier: 'Tier',
  basket: 'Basket',
  emptyBasket: 'Scan products to start a sale',
  total: 'Total',
  subtotal: 'Subtotal',
  discount: 'Discount',
  earns: (n: number) => `Earns ${n} points`,
  explain: 'Explain points',
  hideExplain: 'Hide explanation',
  rewards: 'Rewards',
  payWithPoints: 'Pay with points',
  apply: 'Apply',
  clearRedeem: 'Remove',
  pay: 'Pay',
  cash: 'Cash',
  card: 'Card',
  cancel: 'Cancel',
  remove: 'Remove',
  increase: (name: string) => `One more ${name}`,
  decrease: (name: string) => `One fewer ${name}`,
  receipt: 'Receipt',
  earned: (n: number) => `Points earned: ${n}`,
  redeemed: (n: number) => `Points redeemed: ${n}`,
  newBalance: (n: number) => `New balance: ${n} points`,
  saleDone: (total: string, points: number) => `Sale recorded: ${total}${points ? `, ${points} points earned` : ''}`,
  scannerDisconnected: 'Scanner disconnected',
  typeCode: 'Type a product code',
  add: 'Add',
  clearMember: 'Clear member',
  newSale: 'New sale',
  scannerSettings: 'Scanner settings',
  loadingDevices: 'Looking for scanners…',
  noDevices: 'No USB HID devices found. Keyboard-wedge scanners work without setup.',
  device: 'Device',
  usagePage: 'Usage page / usage',
  mode: 'Mode',
  useThis: 'Use this scanner',
  reportLayout: 'Report layout',
  layoutAim: 'Standard (AIM id at bytes 2–4)',
  layoutNewland: 'Newland (data from byte 2)',
  keyboardScanners: 'Keyboard-mode scanners',
  wedgeMaxInterKey: 'Longest gap between keys of a scan (ms)',
  wedgeMinLength: 'Shortest code (characters)',
  wedgeQuiet: 'A scan is over after this long without a key (ms)',
  wedgeNoSuffix: 'The scanner sends no Enter or Tab after a code',
  save: 'Save',
  saved: 'Saved',
  close: 'Close',
  signIn: 'Sign in',
  signInFirst: 'Sign in first: scans are not taken while the till is locked',
  signOut: 'Sign out',
  signedInAs: (name: string) => `Cashier: ${name}`,
  screenLocked: 'Till locked — sign in to go on',
  who: 'Who',
  pin: 'PIN',
  reason: 'Reason',
  confirm: 'Confirm',
  roleCashier: 'cashier',
  roleSupervisor: 'supervisor',
  noStaff: 'No staff for this store yet: head office adds cashiers and their PINs.',
  pinWrong: 'Wrong PIN',
  pinLocked: (name: string, until: string) => `${name} is locked out after too many wrong PINs until ${until}`,
  voidSale: 'Void sale',
  supervisorNeeded: (what: string) => `Supervisor approval: ${what}`,
  voidWhat: (total: string) => `void a sale of ${total}`,
  reasonNeeded: 'Say why (a reason is required)',
  voided: 'Sale voided',
  amountGiven: 'Amount handed over',
  amountHint: 'Empty: exactly what is due. Enter pays cash, F2 card, Esc goes back.',
  paid: 'Paid',
  due: 'Still due',
  change: 'Change',
  changeGiven: (amount: string) => `Change: ${amount}`,
  tenderLine: (kind: string, amount: string) => `${kind} ${amount}`,
  tenderedLine: (kind: string, amount: string, given: string) => `${kind} ${amount} (handed over ${given})`,
  removeTender: (what: string) => `Remove ${what}`,
  paidWith: 'Paid with',
  tenderProblem: (code: 'TENDER_NOT_POSITIVE' | 'TENDER_OVER_DUE' | 'SALE_COVERED' | 'MONEY_BAD_INPUT') => {
    switch (code) {
      case 'TENDER_NOT_POSITIVE':
        return 'Type an amount above zero';
      case 'TENDER_OVER_DUE':
        return 'A card pays no more than is due: type the amount for the card, or pay the rest in cash';
      case 'SALE_COVERED':
        return 'The sale is paid';
      case 'MONEY_BAD_INPUT':
        return 'Not an amount: type it as 20 or 20.50';
    }
  },
  print: 'Print receipt',
  reprint: (label: string) => `Show and reprint the last receipt (${label})`,
  receiptNumber: (label: string) => `Receipt ${label}`,
  tillName: (tillId: string) => `Till ${tillId}`,
  cashierName: (name: string) => `Cashier ${name}`,
  findProduct: 'Find a product by name or code',
  noProductFound: (text: string) => `No product matches “${text}”`,
  perKg: 'per kg',
  weightOf: (name: string) => `Weight of ${name} (kg)`,
  badWeight: 'Type the weight in kg, as 1.25',
  scanDuringPayment: 'Scan not added: finish or cancel the payment first (Esc goes back to the basket)',
  hidPosAdvice:
    'Tip: set the scanner to HID POS mode (usage page 0x8C) so scans never reach text fields. See docs/scanners.md.',
  // Returns
  returnButton: 'Return',
  returnTitle: 'Return goods',
  returnReceiptField: 'Scan the receipt, or type its number',
  returnFind: 'Find',
  returnNotAReceipt: (text: string) => `“${text}” is not a receipt number (e.g. till-1-000042, or 42 for this till)`,
  returnSaleFound: (label: string, fromServer: boolean) =>
    `Receipt ${label}${fromServer ? ' (from the server)' : ' (from this till)'}`,
  returnItem: 'Item',
  returnSold: 'Sold',
  returnLeft: 'Left to return',
  returnQty: 'Return',
  returnQtyOf: (name: string) => `Quantity of ${name} to return`,
  returnRefund: 'Refund',
  returnRefundedTo: (tenders: string) => `Refunded to ${tenders}`,
  returnPointsReversed: (n: number) => `${n} earned points taken back`,
  returnPointsRestored: (n: number) => `${n} redeemed points given back`,
  returnNeedsSupervisor: 'A supervisor approves a refund of this amount',
  returnPickFirst: 'Type how many of a line come back',
  returnConfirm: 'Refund',
  returnWhat: (amount: string) => `refund ${amount}`,
  returnReceipt: (label: string) => `Return receipt ${label}`,
  returnOf: (label: string) => `Return of receipt ${label}`,
  returnDone: 'Done',
  returnRecorded: (amount: string) => `Return recorded: refund ${amount}`,
  returnScanRefused: 'Scan not added: finish or close the return first (Esc)',
  returnError: (code: string, message: string) => {
    switch (code) {
      case 'RETURN_NEEDS_SERVER':
        return `${message}. Try again when the till is online (code ${code})`;
      case 'RECEIPT_NOT_FOUND':
        return `${message} (code ${code})`;
      case 'NOT_ALLOWED':
        return `${message} (code RETURN_NOT_ALLOWED)`;
      default:
        return `${message} (code ${code})`;
    }
  },
} as const;

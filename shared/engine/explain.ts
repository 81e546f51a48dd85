/**
 * What the engine says about a quote, as codes with parameters: the till
 * translates them (its locales hold one text per code), the server and the
 * ledger keep the English text made here. Money parameters end in `Minor`
 * and are integer minor units; everything else is a name or a count.
 */
import { formatMoney } from '../money';

export type SayParams = Record<string, string | number>;

/** English, per code. `{name}` is a parameter; `{nameMinor}` money in the quote's currency. */
const english = {
  // Discounts (the product is left out once a rule discounts several lines).
  'member-price': '-{amountMinor}: member price on {product}',
  'member-price-all': '-{amountMinor}: member price',
  'offer-discount': '-{amountMinor}: {offer} on {product}',
  'offer-discount-all': '-{amountMinor}: {offer}',
  'stamp-free': '-{amountMinor}: {card}: {every}th free',
  'discount-card': '-{amountMinor}: {percent} % discount card on {product}',
  'discount-card-all': '-{amountMinor}: {percent} % discount card',
  'tier-discount': '-{amountMinor}: {percent} % {tier} tier on {product}',
  'tier-discount-all': '-{amountMinor}: {percent} % {tier} tier',
  'membership-discount': '-{amountMinor}: {percent} % {plan} on {product}',
  'membership-discount-all': '-{amountMinor}: {percent} % {plan}',
  'reward-discount': '-{amountMinor}: {reward} on {product}',
  'reward-discount-all': '-{amountMinor}: {reward}',
  'points-paid': '-{amountMinor}: {points} points',
  'promotion-discount': '-{amountMinor}: {promotion}',
  // Points.
  'offer-points': '+{points} pts: {offer}',
  'earn-label': '+{points} pts: {label}',
  'earn-per-currency': '+{points} pts: {rate} pt per {perMinor}',
  'earn-per-kg': '+{points} pts: {rate} pts per kg',
  'earn-per-item': '+{points} pts: {rate} pts per item',
  'earn-per-order': '+{points} pts: {rate} pts per order',
  multiplier: '{factor}× points on {products}',
  'multiplier-label': '{factor}× {label} on {products}',
  'tier-multiplier': '{factor}× for {tier} tier',
  'membership-multiplier': '{factor}× for {plan}',
  'min-spend': 'No points below {amountMinor}',
  'bonus-birthday': '+{points} pts: happy birthday',
  'bonus-referee': '+{points} pts: welcome, referred by a friend',
  'bonus-referrer': '+{points} pts to the referrer',
  // Stamps, rewards, paying with points, memberships.
  'stamp-progress': '{card}: {count} of {needed} stamps',
  'reward-cost': '-{points} pts: {reward}',
  'reward-donation': '{reward}: {amountMinor} donated to {cause}',
  'points-cap': 'Points capped at {percent} % of the basket: {points} used',
  'points-cost': '-{points} pts: paid with points',
  'membership-bought': '{plan} until {date}',
  // Why a redemption was refused.
  'redeem-no-member': 'Scan a member card to redeem points',
  'reward-unknown': 'No reward "{reward}" in this program',
  'reward-unavailable': '{reward} is not available to this member today',
  'reward-basket-too-small': '{reward} needs a basket of {amountMinor}',
  'reward-free-item-first': 'Scan the free item first for {reward}',
  'points-not-allowed': 'This program does not allow paying with points',
  'points-bad': 'Points to pay with must be a whole number above 0',
  'points-block': 'Points are paid in steps of {block}',
  'reward-count': '{reward}: at most {max} per order',
  'code-unknown': 'No promotion has the code {code}',
  'code-unavailable': 'The code {code} is not valid today',
  'code-members-only': 'The code {code} is for members: scan a member card',
  'code-used': 'The code {code} has been used up by this member',
  'coupon-used': 'The coupon {code} has been used already',
  'coupon-one-per-sale': 'One coupon of this kind per sale: {code} stays with the customer',
  'code-not-met': 'Code {code}: the basket does not meet {promotion} yet',
  'coupon-issued': 'Coupon for the next visit: {promotion} (× {count})',
  'points-not-enough': 'Not enough points: {balance} available',
  'offline-cap': 'Offline, at most {left} points can be redeemed today',
} as const;

export type SayCode = keyof typeof english;
export const sayCodes = Object.keys(english) as SayCode[];

/** The parameters a code's text uses, in order (the locales' texts must use the same). */
export function sayParams(code: SayCode): string[] {
  return [...english[code].matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
}

/** The English text of a code with its parameters. */
export function sayEnglish(code: SayCode, params: SayParams, currency: string): string {
  return english[code].replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) return `{${name}}`;
    return name.endsWith('Minor') && typeof value === 'number'
      ? formatMoney({ minor: value, currency })
      : String(value);
  });
}

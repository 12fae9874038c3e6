// Money as the API speaks it: integer minor units plus an ISO 4217 code. Parsing and formatting
// work on decimal strings and BigInt, never on floating point, so "0.1" + "0.2" is exactly 30 cents.

export const EXPONENTS = Object.freeze({
  USD: 2, EUR: 2, GBP: 2, CHF: 2, CAD: 2, AUD: 2, SEK: 2, NOK: 2, DKK: 2, PLN: 2, CZK: 2, JPY: 0,
});

const SYMBOLS = Object.freeze({ USD: "$", EUR: "€", GBP: "£", JPY: "¥" });

/** The largest amount a request may carry (API.md: 10^12 minor units). */
export const AMOUNT_MAX = 1_000_000_000_000;

export function exponentOf(currency) {
  if (!Object.hasOwn(EXPONENTS, currency)) throw new RangeError(`unknown currency ${currency}`);
  return EXPONENTS[currency];
}

function groupThousands(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** 1050, "USD" → "$10.50"; -5, "EUR" → "-€0.05"; 7, "SEK" → "0.07 SEK". */
export function formatMoney(minor, currency) {
  const exponent = exponentOf(currency);
  let value = BigInt(minor);
  const negative = value < 0n;
  if (negative) value = -value;
  const divisor = 10n ** BigInt(exponent);
  const whole = groupThousands((value / divisor).toString());
  const text = exponent > 0 ? `${whole}.${(value % divisor).toString().padStart(exponent, "0")}` : whole;
  const symbol = SYMBOLS[currency];
  return (negative ? "-" : "") + (symbol ? symbol + text : `${text} ${currency}`);
}

/** Minor units as a plain decimal in major units, for inputs: 1050, "USD" → "10.50". */
export function toDecimal(minor, currency) {
  const exponent = exponentOf(currency);
  let value = BigInt(minor);
  const negative = value < 0n;
  if (negative) value = -value;
  const divisor = 10n ** BigInt(exponent);
  const text = exponent > 0 ? `${value / divisor}.${(value % divisor).toString().padStart(exponent, "0")}` : `${value}`;
  return (negative ? "-" : "") + text;
}

export class AmountError extends Error {}

/**
 * A decimal typed by a person ("10", "10.5", "0.05", "1,250.00") as integer minor units.
 * Refuses more fraction digits than the currency has, signs, exponents, zero and amounts above
 * AMOUNT_MAX, with a message fit to show next to the field.
 */
export function parseAmount(text, currency) {
  const exponent = exponentOf(currency);
  const cleaned = String(text).trim().replace(/,(?=\d{3}(\D|$))/g, "");
  const match = /^(\d*)(?:\.(\d*))?$/.exec(cleaned);
  if (!match || (match[1] === "" && (match[2] ?? "") === "")) {
    throw new AmountError("Enter an amount like 12.34.");
  }
  const whole = match[1] || "0";
  const fraction = match[2] ?? "";
  if (fraction.length > exponent) {
    throw new AmountError(exponent === 0 ? `${currency} has no decimal places.` : `Use at most ${exponent} decimal places.`);
  }
  const minor = BigInt(whole) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, "0") || "0");
  if (minor <= 0n) throw new AmountError("The amount must be greater than zero.");
  if (minor > BigInt(AMOUNT_MAX)) throw new AmountError(`The amount may be at most ${formatMoney(AMOUNT_MAX, currency)}.`);
  return Number(minor);
}

// Unit tests for static/js/money.js, run by `make test` with node's built-in test runner.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AMOUNT_MAX, AmountError, formatMoney, parseAmount, toDecimal } from "../../static/js/money.js";

test("formats minor units with the currency's exponent", () => {
  assert.equal(formatMoney(1050, "USD"), "$10.50");
  assert.equal(formatMoney(5, "EUR"), "€0.05");
  assert.equal(formatMoney(-5, "EUR"), "-€0.05");
  assert.equal(formatMoney(0, "GBP"), "£0.00");
  assert.equal(formatMoney(123456789, "USD"), "$1,234,567.89");
  assert.equal(formatMoney(1500, "JPY"), "¥1,500");
  assert.equal(formatMoney(7, "SEK"), "0.07 SEK");
  assert.equal(formatMoney(AMOUNT_MAX, "USD"), "$10,000,000,000.00");
});

test("converts decimals to minor units exactly", () => {
  assert.equal(parseAmount("10", "USD"), 1000);
  assert.equal(parseAmount("10.5", "USD"), 1050);
  assert.equal(parseAmount("10.50", "USD"), 1050);
  assert.equal(parseAmount(" 0.05 ", "USD"), 5);
  assert.equal(parseAmount(".5", "USD"), 50);
  assert.equal(parseAmount("1,250.00", "USD"), 125000);
  assert.equal(parseAmount("1500", "JPY"), 1500);
  assert.equal(parseAmount("0.1", "USD") + parseAmount("0.2", "USD"), 30);
  assert.equal(parseAmount("1.15", "USD"), 115);
  assert.equal(parseAmount("4.35", "USD"), 435);
  assert.equal(parseAmount("10000000000", "USD"), AMOUNT_MAX);
});

test("refuses what is not a positive amount in range", () => {
  for (const bad of ["", " ", ".", "abc", "-1", "+1", "1e3", "1.234", "0", "0.00", "1.2.3", "10000000000.01", "12,34", "1 000"]) {
    assert.throws(() => parseAmount(bad, "USD"), AmountError, `accepted ${JSON.stringify(bad)}`);
  }
  assert.throws(() => parseAmount("1.5", "JPY"), AmountError);
  assert.throws(() => parseAmount("1", "XYZ"), RangeError);
});

test("round-trips between minor units and decimals", () => {
  for (const minor of [1, 9, 10, 99, 100, 101, 123456, AMOUNT_MAX]) {
    assert.equal(parseAmount(toDecimal(minor, "USD"), "USD"), minor);
  }
  assert.equal(toDecimal(-1050, "USD"), "-10.50");
});

// The active user's accounts: posted and available balances, opening accounts, deposits,
// withdrawals, transfers, holds and cards.
import { newIdempotencyKey } from "../api.js";
import { formatMoney, parseAmount } from "../money.js";
import * as session from "../session.js";
import { actionForm, field, h, input, render, scroller, select } from "../ui.js";

const CURRENCIES = ["USD", "EUR", "GBP"];

/** Converts the amount field, reporting a bad value next to it like an API field error. */
function amountOf(form, currency) {
  try {
    return parseAmount(form.elements.amount.value, currency);
  } catch (error) {
    const problem = new Error(error.message);
    problem.fields = [{ field: "amount", message: error.message }];
    throw problem;
  }
}

/**
 * A form whose submissions share one Idempotency-Key while the outcome of the last one is unknown
 * (no answer, a 5xx, or still in progress), so retrying can never move money twice. Once the
 * server has answered for certain, the next submission is a new request with a new key.
 */
function moneyForm(className, children, label, action) {
  let key = newIdempotencyKey();
  return actionForm(className, children, label, async (form) => {
    try {
      await action(form, key);
    } catch (error) {
      const unknownOutcome = error.status === 0 || error.status >= 500 || error.status === 409;
      if (error.status !== undefined && !unknownOutcome) key = newIdempotencyKey();
      throw error;
    }
    key = newIdempotencyKey();
    form.reset();
  });
}

export function renderAccounts(container, options) {
  return render(container, () => buildAccounts(container, options));
}

async function buildAccounts(container, { onStatement, notify }) {
  const page = await session.call("GET", "/v1/accounts?limit=100");
  const accounts = page.data;
  const open = accounts.filter((account) => account.status === "active");
  const currencyOf = (id) => accounts.find((account) => account.id === id)?.currency ?? "USD";
  const accountOptions = open.map((account) => [account.id, `${account.type} ${account.currency} · ${formatMoney(account.balance, account.currency)} · ${account.id.slice(-6)}`]);
  const rerender = () => renderAccounts(container, { onStatement, notify });

  const table = h("table", { className: "accounts" },
    h("caption", {}, "Your accounts"),
    h("thead", {}, h("tr", {}, ["Account", "Type", "Balance", "Available", "Status", ""].map((title) => h("th", { scope: "col" }, title)))),
    h("tbody", {}, accounts.map((account) => h("tr", { "data-account-id": account.id },
      h("td", {}, h("code", { className: "account-id" }, account.id)),
      h("td", {}, `${account.type} (${account.currency})`),
      h("td", { className: "money balance" }, formatMoney(account.balance, account.currency)),
      h("td", { className: "money available" }, formatMoney(account.available_balance, account.currency)),
      h("td", {}, account.status),
      h("td", {}, h("button", { type: "button", className: "link", onclick: () => onStatement(account.id) }, "Statement")),
    ))),
  );

  const openForm = actionForm("card open-account", [
    h("h3", {}, "Open an account"),
    field("Type", select("type", [["checking", "Checking"], ["savings", "Savings"]])),
    field("Currency", select("currency", CURRENCIES.map((code) => [code, code]))),
  ], "Open account", async (form) => {
    await session.call("POST", "/v1/accounts", { body: { type: form.elements.type.value, currency: form.elements.currency.value },
      idempotencyKey: newIdempotencyKey() });
    notify("Account opened.");
    await rerender();
  });

  const cashForm = moneyForm("card cash", [
    h("h3", {}, "Deposit or withdraw"),
    field("Account", select("account_id", accountOptions)),
    field("Action", select("type", [["deposit", "Deposit"], ["withdrawal", "Withdraw"]])),
    field("Amount", input("amount", { inputmode: "decimal", autocomplete: "off", placeholder: "0.00", required: true })),
    field("Description (optional)", input("description", { maxlength: 500 })),
  ], "Submit", async (form, key) => {
    const accountId = form.elements.account_id.value;
    const body = { account_id: accountId, type: form.elements.type.value, amount: amountOf(form, currencyOf(accountId)) };
    if (form.elements.description.value) body.description = form.elements.description.value;
    const transaction = await session.call("POST", "/v1/transactions", { body, idempotencyKey: key });
    notify(`${transaction.type === "deposit" ? "Deposited" : "Withdrew"} ${formatMoney(transaction.amount, transaction.currency)}.`);
    await rerender();
  });

  const transferForm = moneyForm("card transfer", [
    h("h3", {}, "Transfer"),
    field("From", select("from_account_id", accountOptions)),
    field("To account id", input("to_account_id", { autocomplete: "off", spellcheck: "false", required: true })),
    field("Amount", input("amount", { inputmode: "decimal", autocomplete: "off", placeholder: "0.00", required: true })),
    field("Description (optional)", input("description", { maxlength: 500 })),
  ], "Send", async (form, key) => {
    const from = form.elements.from_account_id.value;
    const body = { from_account_id: from, to_account_id: form.elements.to_account_id.value.trim(), amount: amountOf(form, currencyOf(from)) };
    if (form.elements.description.value) body.description = form.elements.description.value;
    const transfer = await session.call("POST", "/v1/transfers", { body, idempotencyKey: key });
    notify(`Sent ${formatMoney(transfer.amount, transfer.currency)}.`);
    await rerender();
  });

  const holds = await renderHolds(open, accounts, accountOptions, currencyOf, notify, rerender);
  const cards = await renderCards(open, accounts, notify, rerender);
  return [
    h("section", { "aria-labelledby": "accounts-title" }, h("h2", { id: "accounts-title" }, "Accounts"),
      accounts.length ? scroller("Your accounts", table) : h("p", {}, "No accounts yet: open one below."),
      h("div", { className: "forms" }, openForm, open.length ? [cashForm, transferForm] : "")),
    holds,
    cards,
  ];
}

/** Pending holds per account (money reserved, not yet moved), with capture and void, and a form to place one. */
async function renderHolds(open, accounts, accountOptions, currencyOf, notify, rerender) {
  const page = await session.call("GET", "/v1/holds?status=pending&limit=100");
  const label = (id) => {
    const account = accounts.find((candidate) => candidate.id === id);
    return account ? `${account.type} ${account.currency} ${id.slice(-6)}` : id;
  };
  const settle = (hold, action) => async () => {
    try {
      await session.call("POST", `/v1/holds/${hold.id}/${action}`, { body: {}, idempotencyKey: newIdempotencyKey() });
      notify(action === "capture"
        ? `Captured ${formatMoney(hold.amount, hold.currency)}.`
        : `Released the hold of ${formatMoney(hold.amount, hold.currency)}.`);
      await rerender();
    } catch (error) {
      notify(error.message, true);
    }
  };
  const rows = page.data.map((hold) => h("tr", { "data-hold-id": hold.id },
    h("td", {}, label(hold.account_id)),
    h("td", { className: "money" }, formatMoney(hold.amount, hold.currency)),
    h("td", {}, hold.description ?? ""),
    h("td", {}, new Date(hold.expires_at).toLocaleString()),
    h("td", {}, [
      h("button", { type: "button", className: "link capture", onclick: settle(hold, "capture") }, "Capture"),
      " ",
      h("button", { type: "button", className: "link danger void", onclick: settle(hold, "void") }, "Void"),
    ]),
  ));
  const placeForm = moneyForm("card place-hold", [
    h("h3", {}, "Place a hold"),
    field("Account", select("account_id", accountOptions)),
    field("Amount", input("amount", { inputmode: "decimal", autocomplete: "off", placeholder: "0.00", required: true })),
    field("Description (optional)", input("description", { maxlength: 500 })),
  ], "Hold", async (form, key) => {
    const accountId = form.elements.account_id.value;
    const body = { account_id: accountId, amount: amountOf(form, currencyOf(accountId)) };
    if (form.elements.description.value) body.description = form.elements.description.value;
    const hold = await session.call("POST", "/v1/holds", { body, idempotencyKey: key });
    notify(`Held ${formatMoney(hold.amount, hold.currency)}.`);
    await rerender();
  });
  return h("section", { "aria-labelledby": "holds-title" }, h("h2", { id: "holds-title" }, "Pending holds"),
    rows.length
      ? scroller("Pending holds", h("table", { className: "holds" },
        h("thead", {}, h("tr", {}, ["Account", "Amount", "Description", "Expires", ""].map((title) => h("th", { scope: "col" }, title)))),
        h("tbody", {}, rows)))
      : h("p", {}, "No pending holds."),
    open.length ? h("div", { className: "forms" }, placeForm) : "");
}

async function renderCards(open, accounts, notify, rerender) {
  const page = await session.call("GET", "/v1/cards?limit=100");
  const label = (id) => {
    const account = accounts.find((candidate) => candidate.id === id);
    return account ? `${account.type} ${account.currency} ${id.slice(-6)}` : id;
  };
  const change = (card, status) => async () => {
    try {
      await session.call("PATCH", `/v1/cards/${card.id}`, { body: { status } });
      notify(`Card ending ${card.last4} is now ${status}.`);
      await rerender();
    } catch (error) {
      notify(error.message, true);
    }
  };
  const rows = page.data.map((card) => h("tr", { "data-card-id": card.id },
    h("td", {}, `•••• ${card.last4}`),
    h("td", {}, card.type),
    h("td", {}, label(card.account_id)),
    h("td", {}, `${String(card.exp_month).padStart(2, "0")}/${card.exp_year}`),
    h("td", { className: "card-status" }, card.status),
    h("td", {}, card.status === "cancelled" ? "" : [
      card.status === "active"
        ? h("button", { type: "button", className: "link", onclick: change(card, "frozen") }, "Freeze")
        : h("button", { type: "button", className: "link", onclick: change(card, "active") }, "Unfreeze"),
      " ",
      h("button", { type: "button", className: "link danger", onclick: change(card, "cancelled") }, "Cancel"),
    ]),
  ));
  const issue = actionForm("card issue-card", [
    h("h3", {}, "Issue a card"),
    field("Account", select("account_id", open.map((account) => [account.id, label(account.id)]))),
    field("Type", select("type", [["debit", "Debit"], ["virtual", "Virtual"]])),
  ], "Issue card", async (form) => {
    const card = await session.call("POST", "/v1/cards", { body: { account_id: form.elements.account_id.value, type: form.elements.type.value },
      idempotencyKey: newIdempotencyKey() });
    notify(`Card ending ${card.last4} issued.`);
    await rerender();
  });
  return h("section", { "aria-labelledby": "cards-title" }, h("h2", { id: "cards-title" }, "Cards"),
    rows.length
      ? scroller("Your cards", h("table", { className: "cards" },
        h("thead", {}, h("tr", {}, ["Card", "Type", "Account", "Expires", "Status", ""].map((title) => h("th", { scope: "col" }, title)))),
        h("tbody", {}, rows)))
      : h("p", {}, "No cards yet."),
    open.length ? issue : "");
}

// A statement for a period: balances, totals, the lines, a balance-over-time chart and CSV.
import { formatMoney } from "../money.js";
import * as session from "../session.js";
import { actionForm, field, h, input, render, scroller, today } from "../ui.js";
import { balanceChart } from "../chart.js";

const LINES_MAX = 5000;

async function fetchStatement(accountId, from, to) {
  const range = `${from ? `&from=${from}` : ""}${to ? `&to=${to}` : ""}`;
  let statement = await session.call("GET", `/v1/statements/${accountId}?limit=1000${range}`);
  const lines = [...statement.transactions];
  while (statement.pagination.next_cursor && lines.length < LINES_MAX) {
    statement = await session.call("GET", `/v1/statements/${accountId}?limit=1000${range}&cursor=${encodeURIComponent(statement.pagination.next_cursor)}`);
    lines.push(...statement.transactions);
  }
  return { ...statement, transactions: lines };
}

export function renderStatement(container, options) {
  return render(container, () => buildStatement(container, options));
}

async function buildStatement(container, { accountId, from, to, onBack }) {
  const statement = await fetchStatement(accountId, from, to);
  const money = (minor) => formatMoney(minor, statement.currency);

  const period = actionForm("card period", [
    field("From", input("from", { type: "date", value: from ?? "" })),
    field("To", input("to", { type: "date", value: to ?? today() })),
  ], "Show", async (form) => {
    await renderStatement(container, { accountId, from: form.elements.from.value || null, to: form.elements.to.value || null, onBack });
  });

  const download = h("button", { type: "button", className: "secondary" }, "Download CSV");
  download.addEventListener("click", async () => {
    const range = `${from ? `&from=${from}` : ""}${to ? `&to=${to}` : ""}`;
    const blob = await session.call("GET", `/v1/statements/${accountId}?format=csv${range}`, { accept: "text/csv" });
    const link = h("a", { href: URL.createObjectURL(blob), download: `statement-${accountId}-${statement.from}-${statement.to}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  });

  const summary = h("dl", { className: "summary" },
    h("dt", {}, "Period"), h("dd", { className: "period-range" }, `${statement.from} to ${statement.to}`),
    h("dt", {}, "Opening balance"), h("dd", { className: "opening money" }, money(statement.opening_balance)),
    h("dt", {}, "Credits"), h("dd", { className: "credits money" }, money(statement.total_credits)),
    h("dt", {}, "Debits"), h("dd", { className: "debits money" }, money(statement.total_debits)),
    h("dt", {}, "Closing balance"), h("dd", { className: "closing money" }, money(statement.closing_balance)),
    h("dt", {}, "Transactions"), h("dd", { className: "count" }, String(statement.transaction_count)),
  );

  const lines = h("table", { className: "lines" },
    h("thead", {}, h("tr", {}, ["Date", "Type", "Description", "Amount", "Balance"].map((title) => h("th", { scope: "col" }, title)))),
    h("tbody", {}, statement.transactions.map((line) => {
      const credit = line.type === "deposit" || line.type === "transfer_in";
      return h("tr", {},
        h("td", {}, line.created_at.slice(0, 10)),
        h("td", {}, line.type.replace("_", " ")),
        h("td", {}, line.description ?? ""),
        h("td", { className: `money ${credit ? "credit" : "debit"}` }, (credit ? "+" : "−") + money(line.amount)),
        h("td", { className: "money" }, money(line.balance_after)));
    })),
  );

  return h("section", { className: "statement", "aria-labelledby": "statement-title" },
    h("h2", { id: "statement-title" }, `Statement · ${statement.currency} account ${accountId.slice(-6)}`),
    h("p", {}, h("button", { type: "button", className: "link", onclick: onBack }, "← Back to accounts")),
    period, summary,
    balanceChart(statement.opening_balance, statement.transactions, money),
    h("p", {}, download),
    statement.transactions.length ? scroller("Statement lines", lines) : h("p", {}, "No transactions in this period."),
  );
}

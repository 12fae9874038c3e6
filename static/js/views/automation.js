// Standing orders (create, pause, resume, cancel, their runs) and exports (request, watch the
// progress, download), for the active user.
import { newIdempotencyKey } from "../api.js";
import { formatMoney, parseAmount } from "../money.js";
import * as session from "../session.js";
import { actionForm, field, h, input, render, scroller, select, today } from "../ui.js";

/** Exports requested in this tab, per user: the API has no list of them, only each by id. */
const requested = new Map();
let polling = null;

/** Stops looking again at exports being written: another screen is about to be shown, and the
 * next look would paint this one over it. */
export function leaveAutomation() {
  clearTimeout(polling);
  polling = null;
}

export function renderAutomation(container, options) {
  return render(container, () => buildAutomation(container, options));
}

async function buildAutomation(container, { notify }) {
  const rerender = () => renderAutomation(container, { notify });
  const accounts = (await session.call("GET", "/v1/accounts?limit=100")).data;
  const open = accounts.filter((account) => account.status === "active");
  const label = (id) => {
    const account = accounts.find((candidate) => candidate.id === id);
    return account ? `${account.type} ${account.currency} ${id.slice(-6)}` : id;
  };
  const currencyOf = (id) => accounts.find((account) => account.id === id)?.currency ?? "USD";
  return [await schedules(open, label, currencyOf, notify, rerender), await exports(accounts, label, notify, rerender)];
}

async function schedules(open, label, currencyOf, notify, rerender) {
  const page = await session.call("GET", "/v1/scheduled-transfers?limit=100");
  const change = (schedule, status, done) => async () => {
    try {
      await session.call("PATCH", `/v1/scheduled-transfers/${schedule.id}`, { body: { status } });
      notify(done);
      await rerender();
    } catch (error) {
      notify(error.message, true);
    }
  };
  const runsOf = async (schedule, cell) => {
    const runs = (await session.call("GET", `/v1/scheduled-transfers/${schedule.id}/runs?limit=10`)).data;
    cell.replaceChildren(runs.length
      ? h("ul", { className: "runs" }, runs.map((run) => h("li", {},
        `${run.run_on}: ${run.outcome}${run.error ? ` (${run.error.code})` : ""}`)))
      : "No runs yet.");
  };
  const rows = page.data.map((schedule) => {
    const runsCell = h("td", { className: "schedule-runs" }, h("button", { type: "button", className: "link show-runs" }, "Show runs"));
    runsCell.firstChild.addEventListener("click", () => runsOf(schedule, runsCell).catch((error) => notify(error.message, true)));
    const live = schedule.status === "active" || schedule.status === "paused";
    return h("tr", { "data-schedule-id": schedule.id },
      h("td", {}, `${label(schedule.from_account_id)} → ${schedule.to_account_id.slice(-6)}`),
      h("td", { className: "money" }, formatMoney(schedule.amount, currencyOf(schedule.from_account_id))),
      h("td", {}, schedule.interval),
      h("td", { className: "schedule-status" }, schedule.status),
      h("td", {}, schedule.next_run_on ?? "—"),
      runsCell,
      h("td", {}, live ? [
        schedule.status === "active"
          ? h("button", { type: "button", className: "link pause", onclick: change(schedule, "paused", "Scheduled transfer paused.") }, "Pause")
          : h("button", { type: "button", className: "link resume", onclick: change(schedule, "active", "Scheduled transfer resumed.") }, "Resume"),
        " ",
        h("button", { type: "button", className: "link danger cancel", onclick: change(schedule, "cancelled", "Scheduled transfer cancelled.") }, "Cancel"),
      ] : ""),
    );
  });
  const form = actionForm("card schedule-transfer", [
    h("h3", {}, "Schedule a transfer"),
    field("From", select("from_account_id", open.map((account) => [account.id, label(account.id)]))),
    field("To account id", input("to_account_id", { autocomplete: "off", spellcheck: "false", required: true })),
    field("Amount", input("amount", { inputmode: "decimal", autocomplete: "off", placeholder: "0.00", required: true })),
    field("Every", select("interval", [["once", "Once"], ["daily", "Day"], ["weekly", "Week"], ["monthly", "Month"]])),
    field("Start date", input("start_date", { type: "date", value: today(), required: true })),
    field("End date (optional)", input("end_date", { type: "date" })),
  ], "Schedule", async (formElement) => {
    const from = formElement.elements.from_account_id.value;
    let amount;
    try {
      amount = parseAmount(formElement.elements.amount.value, currencyOf(from));
    } catch (error) {
      const problem = new Error(error.message);
      problem.fields = [{ field: "amount", message: error.message }];
      throw problem;
    }
    const body = {
      from_account_id: from, to_account_id: formElement.elements.to_account_id.value.trim(), amount,
      interval: formElement.elements.interval.value, start_date: formElement.elements.start_date.value,
    };
    if (formElement.elements.end_date.value) body.end_date = formElement.elements.end_date.value;
    await session.call("POST", "/v1/scheduled-transfers", { body, idempotencyKey: newIdempotencyKey() });
    notify("Transfer scheduled.");
    await rerender();
  });
  return h("section", { "aria-labelledby": "schedules-title" }, h("h2", { id: "schedules-title" }, "Scheduled transfers"),
    rows.length
      ? scroller("Scheduled transfers", h("table", { className: "schedules" },
        h("thead", {}, h("tr", {}, ["Transfer", "Amount", "Every", "Status", "Next run", "Runs", ""].map((title) => h("th", { scope: "col" }, title)))),
        h("tbody", {}, rows)))
      : h("p", {}, "No scheduled transfers yet."),
    open.length ? h("div", { className: "forms" }, form) : "");
}

async function exports(accounts, label, notify, rerender) {
  const userId = session.active().user.id;
  const mine = requested.get(userId) ?? [];
  requested.set(userId, mine);
  for (let index = 0; index < mine.length; index += 1) {
    if (mine[index].status === "queued" || mine[index].status === "running") {
      mine[index] = await session.call("GET", `/v1/exports/${mine[index].id}`);
    }
  }
  // While one is still being written, look again in a second.
  clearTimeout(polling);
  if (mine.some((item) => item.status === "queued" || item.status === "running")) polling = setTimeout(rerender, 1000);
  const download = (item) => async () => {
    try {
      const answer = await session.call("GET", item.download_url, { accept: item.format === "csv" ? "text/csv" : "application/json" });
      const blob = answer instanceof Blob ? answer : new Blob([JSON.stringify(answer)], { type: "application/json" });
      const link = h("a", { href: URL.createObjectURL(blob), download: `export-${item.id}.${item.format}` });
      document.body.append(link);
      link.click();
      link.remove();
    } catch (error) {
      notify(error.message, true);
    }
  };
  const rows = mine.map((item) => h("tr", { "data-export-id": item.id },
    h("td", {}, item.account_id ? label(item.account_id) : "All accounts"),
    h("td", {}, `${item.from} … ${item.to}`),
    h("td", {}, `${item.group_by}, ${item.format}`),
    h("td", { className: "export-status" }, item.status),
    h("td", {}, h("progress", { max: 100, value: item.progress, "aria-label": `Progress of export ${item.id.slice(-6)}` })),
    h("td", {}, item.download_url ? h("button", { type: "button", className: "link download", onclick: download(item) }, "Download") : ""),
  ));
  const form = actionForm("card request-export", [
    h("h3", {}, "Export"),
    field("Account", select("account_id", [["", "All accounts"], ...accounts.map((account) => [account.id, label(account.id)])])),
    field("From", input("from", { type: "date", required: true })),
    field("To", input("to", { type: "date", value: today(), required: true })),
    field("Rows", select("group_by", [["none", "Every transaction"], ["day", "Per day"], ["week", "Per week"], ["month", "Per month"], ["year", "Per year"]])),
    field("Format", select("format", [["csv", "CSV"], ["json", "JSON"]])),
  ], "Request export", async (formElement) => {
    const body = {
      from: formElement.elements.from.value, to: formElement.elements.to.value,
      group_by: formElement.elements.group_by.value, format: formElement.elements.format.value,
    };
    if (formElement.elements.account_id.value) body.account_id = formElement.elements.account_id.value;
    mine.unshift(await session.call("POST", "/v1/exports", { body, idempotencyKey: newIdempotencyKey() }));
    notify("Export requested.");
    await rerender();
  });
  return h("section", { "aria-labelledby": "exports-title" }, h("h2", { id: "exports-title" }, "Exports"),
    rows.length
      ? scroller("Exports", h("table", { className: "exports" },
        h("thead", {}, h("tr", {}, ["Accounts", "Period", "Rows", "Status", "Progress", ""].map((title) => h("th", { scope: "col" }, title)))),
        h("tbody", {}, rows)))
      : h("p", {}, "No exports requested in this tab yet."),
    h("div", { className: "forms" }, form));
}

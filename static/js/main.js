// The app shell: header with the user switcher, the token countdown, refresh and logout; the
// prompt to refresh shortly before expiry; and which screen is showing.
import * as session from "./session.js";
import { h, replaceContent } from "./ui.js";
import { renderAccounts } from "./views/accounts.js";
import { renderAdmin } from "./views/admin.js";
import { renderAuth } from "./views/auth.js";
import { leaveAutomation, renderAutomation } from "./views/automation.js";
import { renderStatement } from "./views/statement.js";

const PROMPT_SECONDS = 60;
const header = document.getElementById("session-bar");
const main = document.getElementById("main");
const status = document.getElementById("status");
let screen = { name: "auth" };

function notify(message, isError = false) {
  status.textContent = message;
  status.className = isError ? "status error" : "status";
}

function clock(seconds) {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

/** Rebuilds the header; focus on one of its controls (the switcher, Refresh session) stays on it. */
function renderHeader() {
  const current = session.active();
  if (!current) {
    replaceContent(header, []);
    return;
  }
  const switcher = h("select", { id: "user-switcher", "aria-label": "Active user" },
    session.all().map((user) => h("option", { value: user.id, selected: user.id === current.user.id }, `${user.email} (${user.role})`)));
  switcher.addEventListener("change", () => session.switchTo(switcher.value));
  const seconds = session.secondsLeft();
  replaceContent(header, [
    h("label", { for: "user-switcher", className: "visually-hidden" }, "Active user"), switcher,
    h("button", { type: "button", className: "secondary", id: "add-user", onclick: () => show({ name: "auth" }) }, "Add user"),
    h("span", { className: "countdown", id: "countdown", "aria-live": "off" }, `Session ${clock(seconds)}`),
    h("button", { type: "button", className: "secondary", id: "refresh-token", onclick: refreshNow }, "Refresh session"),
    h("button", { type: "button", className: "secondary", id: "logout", onclick: logOut }, "Log out"),
    nav(current),
  ]);
}

function nav(current) {
  return h("nav", { "aria-label": "Sections" },
    h("button", { type: "button", className: "link", id: "nav-accounts", onclick: () => show({ name: "accounts" }) }, "Accounts"),
    h("button", { type: "button", className: "link", id: "nav-automation", onclick: () => show({ name: "automation" }) }, "Scheduled & exports"),
    current.user.role !== "user"
      ? h("button", { type: "button", className: "link", id: "nav-admin", onclick: () => show({ name: "admin" }) }, "Users & audit")
      : "");
}

async function refreshNow() {
  try {
    await session.refresh();
    if (session.active()) notify("Session refreshed.");
  } catch (error) {
    notify(error.message, true);
  }
}

async function logOut() {
  try {
    await session.logOut();
  } catch (error) {
    notify(error.message, true);
  }
}

/**
 * Ticks the countdown and shows the refresh prompt when the token is about to expire. The ticking
 * text is in no live region; the prompt is announced through its own alert region, whose text is
 * set when the prompt appears (and when the session ends), not on every tick, so a screen reader
 * says it once instead of every second.
 */
function tick() {
  const countdown = document.getElementById("countdown");
  const prompt = document.getElementById("refresh-prompt");
  const seconds = session.active() ? session.secondsLeft() : null;
  const showing = seconds !== null && seconds <= PROMPT_SECONDS;
  prompt.hidden = !showing;
  if (seconds !== null) {
    if (countdown) countdown.textContent = `Session ${clock(seconds)}`;
    document.getElementById("refresh-prompt-text").textContent =
      seconds > 0 ? `Your session ends in ${clock(seconds)}.` : "Your session has ended.";
  }
  const announcement = !showing ? ""
    : seconds > 0 ? "Your session ends in less than a minute. Choose Stay signed in to continue." : "Your session has ended.";
  const alert = document.getElementById("refresh-prompt-alert");
  if (alert.textContent !== announcement) alert.textContent = announcement;
}

async function show(next) {
  leaveAutomation();
  screen = next;
  if (!session.active() && screen.name !== "auth") screen = { name: "auth" };
  try {
    if (screen.name === "auth") {
      await renderAuth(main, { notice: screen.notice, onDone: () => show({ name: "accounts" }) });
    } else if (screen.name === "accounts") {
      await renderAccounts(main, { notify, onStatement: (accountId) => show({ name: "statement", accountId }) });
    } else if (screen.name === "statement") {
      await renderStatement(main, { accountId: screen.accountId, from: null, to: null, onBack: () => show({ name: "accounts" }) });
    } else if (screen.name === "automation") {
      await renderAutomation(main, { notify });
    } else if (screen.name === "admin") {
      await renderAdmin(main, { notify });
    }
  } catch (error) {
    notify(error.message, true);
  }
}

session.onChange(async (event) => {
  renderHeader();
  tick();
  if (event.type === "signed-out") {
    notify(event.reason);
    await show(session.active() ? { name: "accounts" } : { name: "auth", notice: `${event.reason} Log in again to continue.` });
  } else if (event.type === "switch") {
    notify(`Now acting as ${session.active().user.email}.`);
    // A statement is of the previous user's account, so it gives way to the new user's accounts.
    await show({ name: screen.name === "admin" && session.active().user.role !== "user" ? "admin" : "accounts" });
  }
});

document.getElementById("refresh-prompt-button").addEventListener("click", refreshNow);
setInterval(tick, 1000);

const navigation = performance.getEntriesByType("navigation")[0];
show({
  name: "auth",
  notice: navigation?.type === "reload"
    ? "The page was reloaded, so you were logged out: Coffer keeps your session in memory only, never on disk."
    : null,
});

// For support and admins: the users list (admins may suspend and reactivate, and change plans) and the audit trail.
import * as session from "../session.js";
import { actionForm, h, render, scroller, select } from "../ui.js";

export const PLANS = ["standard", "premium", "business"];

/**
 * The request that puts a user on `plan`: back to standard is DELETE (revoking the grant), unless a
 * reason is given, which only PUT can carry into the audit trail.
 * @returns {{method: string, path: string, body?: {plan: string, reason?: string}}}
 */
export function planChange(userId, plan, reason = "") {
  if (!PLANS.includes(plan)) throw new Error(`Unknown plan ${plan}.`);
  const path = `/v1/admin/users/${encodeURIComponent(userId)}/plan`;
  const why = reason.trim();
  if (plan === "standard" && !why) return { method: "DELETE", path };
  return { method: "PUT", path, body: why ? { plan, reason: why } : { plan } };
}

export function renderAdmin(container, options) {
  return render(container, () => buildAdmin(container, options));
}

async function buildAdmin(container, { notify }) {
  const me = session.active().user;
  const users = await session.call("GET", "/v1/admin/users?limit=100");
  const events = await session.call("GET", "/v1/admin/audit-events?limit=50");
  const rerender = () => renderAdmin(container, { notify });

  const setStatus = (user, status) => async () => {
    try {
      await session.call("PATCH", `/v1/admin/users/${user.id}`, { body: { status } });
      notify(`${user.email} is now ${status}.`);
      await rerender();
    } catch (error) {
      notify(error.message, true);
    }
  };

  // One small form per user; errors show inside it, and its data-form names the user's row so focus
  // comes back to the same row's control after the re-render.
  const planForm = (user) => {
    const plan = select("plan", PLANS.map((name) => [name, name]), { "aria-label": `Plan for ${user.email}` });
    plan.value = user.plan;
    const form = actionForm("plan-form", [
      plan,
      h("input", { name: "reason", maxlength: 500, autocomplete: "off", placeholder: "Reason (optional)", "aria-label": `Reason for the plan change of ${user.email}` }),
    ], "Set plan", async () => {
      const change = planChange(user.id, form.elements.plan.value, form.elements.reason.value);
      const updated = await session.call(change.method, change.path, change.body ? { body: change.body } : {});
      notify(`${updated.email} is now on the ${updated.plan} plan.`);
      await rerender();
    });
    form.dataset.form = `plan-${user.id}`;
    return form;
  };

  return [
    h("section", { "aria-labelledby": "users-title" }, h("h2", { id: "users-title" }, `Users (${users.pagination.total})`),
      scroller("Users", h("table", { className: "users" },
        h("thead", {}, h("tr", {}, ["Email", "Role", "Status", "Plan", "Since", ""].map((title) => h("th", { scope: "col" }, title)))),
        h("tbody", {}, users.data.map((user) => h("tr", { "data-user-id": user.id },
          h("td", {}, user.email), h("td", {}, user.role), h("td", {}, user.status), h("td", { className: "user-plan" }, user.plan),
          h("td", {}, user.created_at.slice(0, 10)),
          h("td", { className: "user-actions" }, me.role === "admin" ? [
            // An admin may change their own plan, but not suspend themselves.
            user.id === me.id ? "" : user.status === "active"
              ? h("button", { type: "button", className: "link danger", onclick: setStatus(user, "suspended") }, "Suspend")
              : h("button", { type: "button", className: "link", onclick: setStatus(user, "active") }, "Reactivate"),
            planForm(user),
          ] : ""),
        )))))),
    h("section", { "aria-labelledby": "audit-title" }, h("h2", { id: "audit-title" }, "Audit events"),
      scroller("Audit events", h("table", { className: "audit" },
        h("thead", {}, h("tr", {}, ["When", "Action", "Outcome", "Actor", "Target", "Reason"].map((title) => h("th", { scope: "col" }, title)))),
        h("tbody", {}, events.data.map((event) => h("tr", {},
          h("td", {}, event.at.replace("T", " ").slice(0, 19)), h("td", {}, event.action), h("td", {}, event.outcome),
          h("td", {}, event.actor_id ? event.actor_id.slice(-6) : "—"), h("td", {}, event.target_id ? `${event.target_type} ${event.target_id.slice(-6)}` : "—"),
          h("td", {}, event.reason ?? ""),
        )))))),
  ];
}

// For support and admins: the users list (admins may suspend and reactivate) and the audit trail.
import * as session from "../session.js";
import { h, render, scroller } from "../ui.js";

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

  return [
    h("section", { "aria-labelledby": "users-title" }, h("h2", { id: "users-title" }, `Users (${users.pagination.total})`),
      scroller("Users", h("table", { className: "users" },
        h("thead", {}, h("tr", {}, ["Email", "Role", "Status", "Since", ""].map((title) => h("th", { scope: "col" }, title)))),
        h("tbody", {}, users.data.map((user) => h("tr", { "data-user-id": user.id },
          h("td", {}, user.email), h("td", {}, user.role), h("td", {}, user.status), h("td", {}, user.created_at.slice(0, 10)),
          h("td", {}, me.role === "admin" && user.id !== me.id
            ? (user.status === "active"
              ? h("button", { type: "button", className: "link danger", onclick: setStatus(user, "suspended") }, "Suspend")
              : h("button", { type: "button", className: "link", onclick: setStatus(user, "active") }, "Reactivate"))
            : ""),
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

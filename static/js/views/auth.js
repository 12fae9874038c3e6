// Sign up and log in. After signing up the new user is logged in at once.
import { request } from "../api.js";
import * as session from "../session.js";
import { actionForm, field, h, input, render } from "../ui.js";

export function renderAuth(container, { notice, onDone }) {
  const login = actionForm("card auth-login", [
    h("h2", {}, "Log in"),
    field("Email", input("email", { type: "email", autocomplete: "username", required: true })),
    field("Password", input("password", { type: "password", autocomplete: "current-password", required: true })),
  ], "Log in", async (form) => {
    await session.logIn(form.elements.email.value, form.elements.password.value);
    onDone();
  });

  const signup = actionForm("card auth-signup", [
    h("h2", {}, "Create an account"),
    field("Email", input("email", { type: "email", autocomplete: "email", required: true })),
    field("Password (10 to 128 characters)", input("password", { type: "password", autocomplete: "new-password", required: true })),
    field("First name", input("first_name", { autocomplete: "given-name", required: true })),
    field("Last name", input("last_name", { autocomplete: "family-name", required: true })),
    field("Date of birth", input("dob", { type: "date", required: true })),
  ], "Sign up", async (form) => {
    const values = Object.fromEntries(["email", "password", "first_name", "last_name", "dob"].map((name) => [name, form.elements[name].value]));
    await request("POST", "/v1/auth/signup", { body: values });
    await session.logIn(values.email, values.password);
    onDone();
  });

  return render(container, () => [
    notice ? h("p", { className: "notice", role: "status" }, notice) : "",
    h("div", { className: "auth" }, login, signup),
  ], { focus: login.elements.email });
}

// Unit tests for the plan requests of static/js/views/admin.js, run by `make test` with node's built-in test runner.
import assert from "node:assert/strict";
import { test } from "node:test";
import { PLANS, planChange } from "../../static/js/views/admin.js";

test("offers the plans the API knows", () => {
  assert.deepEqual(PLANS, ["standard", "premium", "business"]);
});

test("grants a plan with PUT, carrying a reason only when one was given", () => {
  assert.deepEqual(planChange("u1", "premium"), { method: "PUT", path: "/v1/admin/users/u1/plan", body: { plan: "premium" } });
  assert.deepEqual(planChange("u1", "business", "  big customer "),
    { method: "PUT", path: "/v1/admin/users/u1/plan", body: { plan: "business", reason: "big customer" } });
  assert.deepEqual(planChange("u1", "premium", "   "), { method: "PUT", path: "/v1/admin/users/u1/plan", body: { plan: "premium" } });
});

test("goes back to standard with DELETE, or with PUT when there is a reason to record", () => {
  assert.deepEqual(planChange("u1", "standard"), { method: "DELETE", path: "/v1/admin/users/u1/plan" });
  assert.deepEqual(planChange("u1", "standard", " "), { method: "DELETE", path: "/v1/admin/users/u1/plan" });
  assert.deepEqual(planChange("u1", "standard", "downgrade requested"),
    { method: "PUT", path: "/v1/admin/users/u1/plan", body: { plan: "standard", reason: "downgrade requested" } });
});

test("keeps the user id inside its path segment and refuses unknown plans", () => {
  assert.equal(planChange("a/b?c", "premium").path, "/v1/admin/users/a%2Fb%3Fc/plan");
  assert.throws(() => planChange("u1", "gold"), /Unknown plan gold/);
});

-- wrk script: POST /v1/auth/login as one of BENCH_LOGIN_USERS users (login1@bench.example …), picked
-- at random: the lockout counts concurrent attempts on one email before Argon2 runs, so sixteen
-- connections on a single user would lock it, as they should.
local users = tonumber(os.getenv("BENCH_LOGIN_USERS") or "1")

request = function()
  local body = string.format('{"email":"login%d@bench.example","password":"benchmark passphrase"}', math.random(users))
  return wrk.format("POST", "/v1/auth/login", {["Content-Type"] = "application/json"}, body)
end

-- wrk script: POST /v1/auth/login as one of BENCH_LOGIN_USERS users (login1@bench.example …), picked
-- at random: the lockout lets at most five attempts of one email be checked at once, so sixteen
-- connections on a single user would mostly be told to wait (429), as they should.
-- Each wrk thread seeds its own random sequence: unseeded, both threads drew the same users in the
-- same order, so five logins on one email were in flight at once far more often than chance, and
-- the sixth was told to wait (429, as the lockout's cap on concurrent checks says it should).
local users = tonumber(os.getenv("BENCH_LOGIN_USERS") or "1")
local threads = 0

setup = function(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

init = function(args)
  math.randomseed(os.time() * 1000 + seed)
end

request = function()
  local body = string.format('{"email":"login%d@bench.example","password":"benchmark passphrase"}', math.random(users))
  return wrk.format("POST", "/v1/auth/login", {["Content-Type"] = "application/json"}, body)
end

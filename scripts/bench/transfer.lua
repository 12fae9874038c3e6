-- wrk script: POST /v1/transfers between random accounts of the benchmark user.
-- BENCH_TOKEN is a bearer token; BENCH_ACCOUNTS a comma-separated list of account ids.
local token = os.getenv("BENCH_TOKEN")
local accounts = {}
for id in string.gmatch(os.getenv("BENCH_ACCOUNTS"), "[^,]+") do accounts[#accounts + 1] = id end

request = function()
  local from = accounts[math.random(#accounts)]
  local to = accounts[math.random(#accounts)]
  while to == from do to = accounts[math.random(#accounts)] end
  local body = string.format('{"from_account_id":"%s","to_account_id":"%s","amount":%d}', from, to, math.random(1, 100))
  return wrk.format("POST", "/v1/transfers", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end

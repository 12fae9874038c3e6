-- wrk script: POST /v1/transfers/batch, 100 atomic transfers between the benchmark user's accounts.
-- BENCH_TOKEN is a bearer token; BENCH_ACCOUNTS a comma-separated list of account ids.
local token = os.getenv("BENCH_TOKEN")
local accounts = {}
for id in string.gmatch(os.getenv("BENCH_ACCOUNTS"), "[^,]+") do accounts[#accounts + 1] = id end

request = function()
  local items = {}
  for i = 1, 100 do
    local from = accounts[math.random(#accounts)]
    local to = accounts[math.random(#accounts)]
    while to == from do to = accounts[math.random(#accounts)] end
    items[i] = string.format('{"from_account_id":"%s","to_account_id":"%s","amount":%d}', from, to, math.random(1, 100))
  end
  local body = '{"mode":"atomic","transfers":[' .. table.concat(items, ",") .. ']}'
  return wrk.format("POST", "/v1/transfers/batch", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end

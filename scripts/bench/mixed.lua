-- wrk script: a mixed workload — 70% account reads, 20% transfers, 10% transaction lists.
local token = os.getenv("BENCH_TOKEN")
local accounts = {}
for id in string.gmatch(os.getenv("BENCH_ACCOUNTS"), "[^,]+") do accounts[#accounts + 1] = id end
local auth = {["Authorization"] = "Bearer " .. token}
local json = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}

request = function()
  local roll = math.random(100)
  local account = accounts[math.random(#accounts)]
  if roll <= 70 then
    return wrk.format("GET", "/v1/accounts/" .. account, auth)
  elseif roll <= 90 then
    local to = accounts[math.random(#accounts)]
    while to == account do to = accounts[math.random(#accounts)] end
    local body = string.format('{"from_account_id":"%s","to_account_id":"%s","amount":%d}', account, to, math.random(1, 100))
    return wrk.format("POST", "/v1/transfers", json, body)
  else
    return wrk.format("GET", "/v1/transactions?account_id=" .. account .. "&limit=20", auth)
  end
end

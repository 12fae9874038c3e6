-- wrk script: GET /v1/accounts/{id} for random accounts of the benchmark user.
local token = os.getenv("BENCH_TOKEN")
local accounts = {}
for id in string.gmatch(os.getenv("BENCH_ACCOUNTS"), "[^,]+") do accounts[#accounts + 1] = id end

request = function()
  return wrk.format("GET", "/v1/accounts/" .. accounts[math.random(#accounts)], {["Authorization"] = "Bearer " .. token})
end

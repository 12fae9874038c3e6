#!/usr/bin/env python3
"""Creates the benchmark user's accounts and funds them; prints TOKEN and ACCOUNTS for the wrk scripts.

usage: bench_setup.py BASE_URL ACCOUNT_COUNT
"""
import json
import sys
import urllib.request

base, count = sys.argv[1], int(sys.argv[2])


def call(method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request) as response:
        return json.load(response)


login = call("POST", "/v1/auth/login", {"email": "bench@example.com", "password": "benchmark passphrase"})
token = login["access_token"]
accounts = []
for _ in range(count):
    account = call("POST", "/v1/accounts", {"type": "checking", "currency": "USD"}, token)
    call("POST", "/v1/transactions", {"account_id": account["id"], "type": "deposit", "amount": 10_000_000_000}, token)
    accounts.append(account["id"])
print(token)
print(",".join(accounts))

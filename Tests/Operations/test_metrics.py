"""GET /metrics through the real nginx and cofferd (scripts/stack.sh): the exposition parses with
the Prometheus client's own text-format parser, its counters move by exactly the requests made,
and a client outside nginx's allow-list finds nothing there."""
import http.client
import json
import time
import urllib.parse
import urllib.request
import uuid

from prometheus_client.parser import text_string_to_metric_families


def call(base, method, path, body=None, token=None, source=None):
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10,
                                            source_address=(source, 0) if source else None)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    return response.status, response.getheader("Content-Type", ""), payload


def scrape(base):
    status, content_type, payload = call(base, "GET", "/metrics")
    assert status == 200, payload
    assert content_type.startswith("text/plain; version=0.0.4")
    samples = {}
    types = {}
    for family in text_string_to_metric_families(payload.decode()):
        types[family.name] = family.type
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples, types


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_parse_and_count_exactly_the_requests_made(stack):
    before, _ = scrape(stack)
    for _ in range(3):
        assert call(stack, "GET", "/v1/health")[0] == 200
    for _ in range(2):
        assert call(stack, "GET", "/v1/no-such-thing")[0] == 404
    email = f"metrics-{uuid.uuid4().hex[:8]}@example.com"
    password = "correct horse battery"
    status, _, payload = call(stack, "POST", "/v1/auth/signup",
                              {"email": email, "password": password, "first_name": "Meg", "last_name": "Trics", "dob": "1990-01-02"})
    assert status == 201, payload
    status, _, payload = call(stack, "POST", "/v1/auth/login", {"email": email, "password": password})
    assert status == 200, payload
    token = json.loads(payload)["access_token"]
    status, _, payload = call(stack, "POST", "/v1/accounts", {"type": "checking", "currency": "USD"}, token=token)
    assert status == 201, payload
    account = json.loads(payload)["id"]
    status, _, _ = call(stack, "GET", f"/v1/accounts/{account}", token=token)
    assert status == 200
    after, types = scrape(stack)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    requests = "coffer_http_requests_total"
    assert moved(requests, route="/v1/health", method="GET", status="200") == 3
    assert moved(requests, route="(unmatched)", method="GET", status="404") == 2
    assert moved(requests, route="/v1/auth/signup", method="POST", status="201") == 1
    assert moved(requests, route="/v1/auth/login", method="POST", status="200") == 1
    assert moved(requests, route="/v1/accounts", method="POST", status="201") == 1
    # The route template, never the raw path with its identifier.
    assert moved(requests, route="/v1/accounts/{id}", method="GET", status="200") == 1
    assert not any(account in str(key) for key in after)
    # The first scrape is counted by the second; the second is not yet in its own answer.
    assert moved(requests, route="/metrics", method="GET", status="200") == 1
    assert moved("coffer_http_request_duration_seconds_count", route="/v1/health", method="GET", status="200") == 3
    assert types["coffer_http_request_duration_seconds"] == "histogram"

    # Signup and the new account were durable writes: the committer committed them. It records a
    # batch after waking the batch's waiters, so the figures may trail the answers a moment.
    deadline = time.time() + 5
    committed = after
    while value(committed, "coffer_committer_batch_size_count") - value(before, "coffer_committer_batch_size_count") < 2 \
            and time.time() < deadline:
        time.sleep(0.05)
        committed, _ = scrape(stack)
    assert value(committed, "coffer_store_commits_total", store="sqlite", outcome="committed") \
        - value(before, "coffer_store_commits_total", store="sqlite", outcome="committed") >= 2
    assert value(committed, "coffer_store_commit_duration_seconds_count", store="sqlite") \
        - value(before, "coffer_store_commit_duration_seconds_count", store="sqlite") >= 2
    assert value(committed, "coffer_committer_batch_size_count") - value(before, "coffer_committer_batch_size_count") >= 2
    assert types["coffer_committer_batch_size"] == "histogram"
    # Every kind and status has its gauge, zero or not, so a dashboard never sees a gap.
    for kind in ("purge", "hold_expiry", "webhook_delivery", "scheduled_transfer", "export"):
        for status in ("queued", "running", "succeeded", "failed", "dead"):
            assert ("coffer_jobs", (("kind", kind), ("status", status))) in after, (kind, status)
    # The runner enqueues its periodic purge at start.
    assert sum(value(after, "coffer_jobs", kind="purge", status=s) for s in ("queued", "running", "succeeded")) >= 1
    assert value(after, "coffer_database_up") == 1
    assert value(after, "coffer_process_resident_memory_bytes") > 1_000_000
    assert value(after, "coffer_fastcgi_workers") >= 1
    assert value(after, "coffer_fastcgi_open_connections") >= 1, "the scrape itself holds one"


def test_metrics_are_a_404_for_a_client_outside_the_allow_list(stack):
    # nginx allows 127.0.0.1 and ::1; a client whose address is 127.0.0.2 stands for any other.
    status, content_type, payload = call(stack, "GET", "/metrics", source="127.0.0.2")
    assert status == 404, payload
    assert b"coffer_" not in payload
    # Indistinguishable from a path that does not exist.
    missing = call(stack, "GET", "/no-such-page", source="127.0.0.2")
    assert (status, content_type, payload) == missing
    # The same client reaches the API as usual: only /metrics is closed to it.
    assert call(stack, "GET", "/v1/health", source="127.0.0.2")[0] == 200

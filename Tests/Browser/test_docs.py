"""The interactive API reference at /docs/: Swagger UI, from the installed package, on the service's
own /v1/openapi.json, in headless Chromium through nginx and cofferd, under the app's
Content-Security-Policy with nothing relaxed."""
import http.client
import json
import urllib.parse
import urllib.request
from html.parser import HTMLParser

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PASSWORD = "a long docs-page passphrase"

# Installed before the page's first script runs, so a violation while Swagger UI loads is recorded
# with the directive it broke, beside the console message Chromium logs for it.
RECORD_CSP_VIOLATIONS = """
if (!window.cspViolations) {
  window.cspViolations = [];
  document.addEventListener("securitypolicyviolation", (event) => {
    window.cspViolations.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"} in ${event.sourceFile}:${event.lineNumber}`);
  });
}
"""

# Every operation Swagger UI rendered, as (METHOD, path), read in one go so a re-render between two
# element lookups cannot make one of them stale.
RENDERED_OPERATIONS = """
return Array.from(document.querySelectorAll("#swagger-ui .opblock .opblock-summary")).map((summary) => [
  summary.querySelector(".opblock-summary-method").textContent.trim(),
  summary.querySelector("[data-path]").getAttribute("data-path"),
]);
"""


def request(stack, method, path, body=None, headers=None):
    """(status, headers, body) of one request to the stack, without following redirects."""
    parts = urllib.parse.urlsplit(stack)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    try:
        payload = None if body is None else json.dumps(body).encode()
        all_headers = dict(headers or {})
        if payload is not None:
            all_headers["Content-Type"] = "application/json"
        connection.request(method, path, body=payload, headers=all_headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def documented_operations(stack):
    with urllib.request.urlopen(stack + "/v1/openapi.json", timeout=15) as response:
        document = json.load(response)
    return sorted((method.upper(), path) for path, item in document["paths"].items() for method in item if method in METHODS)


def open_docs(browser, stack):
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_CSP_VIOLATIONS})
    browser.get(stack + "/docs/")
    wait = WebDriverWait(browser, 20, ignored_exceptions=(StaleElementReferenceException,))
    wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#swagger-ui .opblock")))
    return wait


def operation_block(path, method="get"):
    return f'#swagger-ui .opblock.opblock-{method}:has(> .opblock-summary [data-path="{path}"])'


def show(browser, css):
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", browser.find_element(By.CSS_SELECTOR, css))


def assert_clean_console(browser):
    assert browser.execute_script("return window.cspViolations") == []
    assert [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"] == []


def assert_no_stored_token(browser, token):
    stored = browser.execute_script("""
        const dump = (storage) => Array.from({length: storage.length}, (_, i) => storage.key(i) + "=" + storage.getItem(storage.key(i)));
        return {local: dump(window.localStorage), session: dump(window.sessionStorage), cookie: document.cookie, url: location.href};""")
    assert stored["local"] == [] and stored["session"] == [], stored
    assert stored["cookie"] == "", stored
    assert token not in json.dumps(stored)


class Markup(HTMLParser):
    """What in a page a script-src/style-src 'self' policy would refuse: inline code and styles."""

    def __init__(self):
        super().__init__()
        self.inline, self.open_script = [], False

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        if tag == "style" or "style" in names or any(name.startswith("on") for name in names):
            self.inline.append((tag, sorted(names)))
        if tag == "script" and "src" not in names:
            self.inline.append((tag, sorted(names)))
        self.open_script = tag == "script"

    def handle_data(self, data):
        if self.open_script and data.strip():
            self.inline.append(("script", data.strip()[:40]))

    def handle_endtag(self, tag):
        self.open_script = False


def test_docs_is_served_with_the_apps_security_headers_and_no_inline_code(stack):
    status, headers, _ = request(stack, "GET", "/docs")
    assert (status, headers["Location"]) == (301, "/docs/")

    _, app_headers, _ = request(stack, "GET", "/")
    status, headers, body = request(stack, "GET", "/docs/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    policy = headers["Content-Security-Policy"]
    assert policy == app_headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy and "unsafe" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    markup = Markup()
    markup.feed(body.decode())
    assert markup.inline == []

    for path, kind in (("/docs/init.js", "javascript"), ("/docs/vendor/swagger-ui-bundle.js", "javascript"), ("/docs/vendor/swagger-ui.css", "text/css")):
        status, headers, body = request(stack, "GET", path)
        assert status == 200 and kind in headers["Content-Type"] and body, path
        assert headers["X-Content-Type-Options"] == "nosniff", path
    # The package's own demo pages (the petstore) are not part of the site.
    for path in ("/docs/vendor/", "/docs/vendor/index.html", "/docs/vendor/swagger-initializer.js"):
        assert request(stack, "GET", path)[0] == 404, path


def test_docs_lists_every_operation_of_the_openapi_document(browser, stack, artifacts):
    expected = documented_operations(stack)
    assert len(expected) > 40
    wait = open_docs(browser, stack)
    # Swagger UI resolves references and renders as it goes: wait for the full list, then compare.
    try:
        wait.until(lambda d: len(d.execute_script(RENDERED_OPERATIONS)) >= len(expected))
    finally:
        browser.save_screenshot(str(artifacts / "12-docs.png"))
    assert sorted(tuple(operation) for operation in browser.execute_script(RENDERED_OPERATIONS)) == expected
    assert "Unable to render" not in browser.find_element(By.ID, "swagger-ui").text
    assert_clean_console(browser)


def test_try_it_out_executes_get_health(browser, stack, artifacts):
    wait = open_docs(browser, stack)
    health = operation_block("/v1/health")
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, f"{health} .opblock-summary-control"))).click()
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, f"{health} .try-out__btn"))).click()
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, f"{health} .btn.execute"))).click()
    live = f"{health} .live-responses-table tr.response"
    wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, f"{live} .response-col_status")))
    assert browser.find_element(By.CSS_SELECTOR, f"{live} .response-col_status").text.strip() == "200"
    assert '"status"' in browser.find_element(By.CSS_SELECTOR, f"{live} .response-col_description").text
    show(browser, live)
    browser.save_screenshot(str(artifacts / "13-docs-try-it-out.png"))
    assert_clean_console(browser)


def test_a_typed_bearer_token_is_used_by_try_it_out_and_kept_in_memory_only(browser, stack, artifacts):
    email = "docs-page@browser.example"
    status, _, body = request(stack, "POST", "/v1/auth/signup",
                              {"email": email, "password": PASSWORD, "first_name": "Dora", "last_name": "Docs", "dob": "1990-04-01"})
    assert status == 201, body
    status, _, body = request(stack, "POST", "/v1/auth/login", {"email": email, "password": PASSWORD})
    assert status == 200, body
    token = json.loads(body)["access_token"]

    wait = open_docs(browser, stack)
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "#swagger-ui .auth-wrapper .btn.authorize"))).click()
    field = wait.until(EC.visibility_of_element_located((By.ID, "auth-bearer-value")))
    field.send_keys(token)
    browser.find_element(By.CSS_SELECTOR, ".dialog-ux .modal-btn.auth.authorize").click()
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, ".dialog-ux .modal-btn.auth.btn-done"))).click()
    wait.until(EC.invisibility_of_element_located((By.CSS_SELECTOR, ".dialog-ux")))
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#swagger-ui .auth-wrapper .btn.authorize.locked")))
    assert_no_stored_token(browser, token)

    me = operation_block("/v1/auth/me")
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, f"{me} .opblock-summary-control"))).click()
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, f"{me} .try-out__btn"))).click()
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, f"{me} .btn.execute"))).click()
    live = f"{me} .live-responses-table tr.response"
    wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, f"{live} .response-col_status")))
    assert browser.find_element(By.CSS_SELECTOR, f"{live} .response-col_status").text.strip() == "200"
    assert email in browser.find_element(By.CSS_SELECTOR, f"{live} .response-col_description").text
    show(browser, live)
    browser.save_screenshot(str(artifacts / "14-docs-authorized.png"))
    assert_no_stored_token(browser, token)
    assert_clean_console(browser)

    # Memory only: a reload starts signed out.
    browser.refresh()
    wait = open_docs(browser, stack)
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#swagger-ui .auth-wrapper .btn.authorize.unlocked")))
    assert_no_stored_token(browser, token)
    assert_clean_console(browser)

"""The browser app driven as a person would, in headless Chromium through nginx and cofferd."""
import subprocess
import time

from conftest import BIN_DIR, stack_database

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

PASSWORD = "a long browser passphrase"


class App:
    def __init__(self, driver, base, artifacts):
        self.driver, self.base, self.artifacts = driver, base, artifacts
        self.wait = WebDriverWait(driver, 15)

    def find(self, css):
        return self.wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)))

    def fill(self, form_css, **values):
        form = self.find(form_css)
        for name, value in values.items():
            control = form.find_element(By.NAME, name)
            if control.tag_name == "select":
                Select(control).select_by_value(value)
            elif control.get_attribute("type") == "date":
                # Typing into a date input depends on the browser's locale; set the ISO value instead.
                self.driver.execute_script("arguments[0].value = arguments[1]", control, value)
            else:
                control.clear()
                control.send_keys(value)
        return form

    def submit(self, form_css, **values):
        self.fill(form_css, **values).find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    def status_says(self, text):
        self.wait.until(EC.text_to_be_present_in_element((By.ID, "status"), text))

    def text_of(self, css):
        return self.find(css).text

    def field_error(self, form_css, name):
        control = self.find(f"{form_css} [name={name}]")
        error_id = control.get_attribute("aria-describedby")
        self.wait.until(lambda d: d.find_element(By.ID, error_id).text != "")
        return self.driver.find_element(By.ID, error_id).text

    def balance_of(self, account_id):
        return self.find(f'tr[data-account-id="{account_id}"] .balance').text

    def assert_no_stored_secrets(self):
        stored = self.driver.execute_script(
            "return {local: window.localStorage.length, session: window.sessionStorage.length, cookie: document.cookie, url: location.href}")
        assert stored["local"] == 0, stored
        assert stored["session"] == 0, stored
        assert stored["cookie"] == "", stored
        assert "token" not in stored["url"], stored

    def screenshot(self, name):
        self.driver.save_screenshot(str(self.artifacts / f"{name}.png"))

    def sign_up(self, email, first):
        self.submit(".auth-signup", email=email, password=PASSWORD, first_name=first, last_name="Browser", dob="1990-04-01")
        self.find("#accounts-title")

    def open_account(self):
        before = len(self.driver.find_elements(By.CSS_SELECTOR, "tr[data-account-id]"))
        self.submit(".open-account", type="checking", currency="USD")
        self.status_says("Account opened.")
        self.wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "tr[data-account-id]")) == before + 1)
        return self.driver.find_elements(By.CSS_SELECTOR, "tr[data-account-id]")[-1].get_attribute("data-account-id")

    def switch_to(self, email):
        switcher = Select(self.find("#user-switcher"))
        value = next(option.get_attribute("value") for option in switcher.options if option.text.startswith(email))
        switcher.select_by_value(value)
        self.status_says(f"Now acting as {email}")


def console_errors(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def test_two_users_move_money_and_read_a_statement(browser, stack, artifacts):
    app = App(browser, stack, artifacts)
    browser.get(stack + "/")
    app.find(".auth-login")
    app.assert_no_stored_secrets()
    app.screenshot("01-login")

    app.sign_up("ann@browser.example", "Ann")
    app.assert_no_stored_secrets()
    ann_account = app.open_account()

    app.submit(".cash", account_id=ann_account, type="deposit", amount="100.5", description="first pay")
    app.status_says("Deposited $100.50.")
    assert app.balance_of(ann_account) == "$100.50"
    app.submit(".cash", account_id=ann_account, type="withdrawal", amount="0.5")
    app.status_says("Withdrew $0.50.")
    assert app.balance_of(ann_account) == "$100.00"
    app.screenshot("02-accounts")

    # A bad amount is explained next to the field and moves nothing.
    app.submit(".cash", account_id=ann_account, type="deposit", amount="1.234")
    assert "decimal places" in app.field_error(".cash", "amount")
    assert app.balance_of(ann_account) == "$100.00"
    app.assert_no_stored_secrets()

    # A second user, logged in alongside the first.
    app.find("#add-user").click()
    app.sign_up("bob@browser.example", "Bob")
    bob_account = app.open_account()
    app.assert_no_stored_secrets()

    app.switch_to("ann@browser.example")
    app.find(f'tr[data-account-id="{ann_account}"]')
    # A double click sends one transfer.
    form = app.fill(".transfer", from_account_id=ann_account, to_account_id=bob_account, amount="25.25", description="lunch")
    ActionChains(browser).double_click(form.find_element(By.CSS_SELECTOR, "button[type=submit]")).perform()
    app.status_says("Sent $25.25.")
    time.sleep(0.5)
    browser.find_element(By.ID, "nav-accounts").click()
    app.wait.until(lambda d: app.balance_of(ann_account) == "$74.75")

    app.find(f'tr[data-account-id="{ann_account}"] button').click()
    app.find(".statement")
    assert app.text_of(".summary .opening") == "$0.00"
    assert app.text_of(".summary .credits") == "$100.50"
    assert app.text_of(".summary .debits") == "$25.75"
    assert app.text_of(".summary .closing") == "$74.75"
    assert app.text_of(".summary .count") == "3"
    assert len(browser.find_elements(By.CSS_SELECTOR, ".lines tbody tr")) == 3
    assert browser.find_element(By.CSS_SELECTOR, "svg.balance-chart path.balance-line").get_attribute("d").startswith("M")
    app.screenshot("03-statement")

    browser.find_element(By.ID, "nav-accounts").click()
    app.submit(".issue-card", account_id=ann_account, type="debit")
    app.status_says("issued")
    app.find("tr[data-card-id] button").click()  # Freeze
    app.wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "tr[data-card-id] .card-status"), "frozen"))
    app.screenshot("04-cards")

    app.find("#refresh-token").click()
    app.status_says("Session refreshed.")
    app.assert_no_stored_secrets()

    app.switch_to("bob@browser.example")
    app.wait.until(lambda d: app.balance_of(bob_account) == "$25.25")

    app.find("#logout").click()
    app.status_says("bob@browser.example logged out.")
    app.find(f'tr[data-account-id="{ann_account}"]')
    app.find("#logout").click()
    app.find(".auth-login")
    app.assert_no_stored_secrets()
    app.screenshot("05-logged-out")
    assert console_errors(browser) == []


def test_api_errors_are_shown_in_plain_words_next_to_the_form(browser, stack, artifacts):
    app = App(browser, stack, artifacts)
    browser.get(stack + "/")
    app.sign_up("erin@browser.example", "Erin")
    account = app.open_account()
    app.submit(".transfer", from_account_id=account, to_account_id=account, amount="5")
    app.wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".transfer .form-error"), "same"))
    app.submit(".transfer", from_account_id=account, to_account_id="no-such-account", amount="5")
    app.wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".transfer .form-error"), "There is no account"))
    app.submit(".cash", account_id=account, type="withdrawal", amount="1")
    app.wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".cash .form-error"), "Available balance 0 is less than the requested 100."))
    # After a refusal the next, corrected request goes through (a fresh Idempotency-Key).
    app.submit(".cash", account_id=account, type="deposit", amount="2")
    app.status_says("Deposited $2.00.")
    app.screenshot("08-form-error")
    # The refused requests show up as network entries; the app itself must log no error.
    assert [entry for entry in console_errors(browser) if entry["source"] != "network"] == []


def test_session_countdown_prompts_before_expiry_and_reload_logs_out(browser, stack, artifacts):
    app = App(browser, stack, artifacts)
    browser.get(stack + "/")
    app.sign_up("carol@browser.example", "Carol")
    # The stack issues 75-second tokens, so the prompt (shown in the last minute) comes after ~15 s.
    prompt = WebDriverWait(browser, 40).until(EC.visibility_of_element_located((By.ID, "refresh-prompt")))
    assert "Your session ends in" in prompt.text
    first = app.text_of("#countdown")
    time.sleep(2.2)
    assert app.text_of("#countdown") != first, "the countdown counts down"
    app.screenshot("06-refresh-prompt")
    browser.find_element(By.ID, "refresh-prompt-button").click()
    app.status_says("Session refreshed.")
    app.wait.until(EC.invisibility_of_element_located((By.ID, "refresh-prompt")))
    assert app.text_of("#countdown").startswith("Session 1:1")
    app.assert_no_stored_secrets()

    browser.refresh()
    notice = app.find(".notice")
    assert "reloaded" in notice.text
    assert browser.find_elements(By.ID, "user-switcher") == []
    assert console_errors(browser) == []


def test_admin_sees_users_and_audit(browser, stack, artifacts):
    app = App(browser, stack, artifacts)
    browser.get(stack + "/")
    app.sign_up("dave@browser.example", "Dave")
    app.find("#logout").click()
    app.find(".auth-login")
    # Promote Dave through the database tool, as an operator would.
    result = subprocess.run([str(BIN_DIR / "coffer"), "create-admin", "--email", "dave@browser.example", "--database-url", stack_database(stack)],
                            input="an admin browser passphrase\n", text=True, capture_output=True)
    assert result.returncode == 0, result.stdout + result.stderr
    app.submit(".auth-login", email="dave@browser.example", password="an admin browser passphrase")
    app.find("#nav-admin").click()
    app.find("table.users")
    assert "ann@browser.example" in app.text_of("table.users") or "dave@browser.example" in app.text_of("table.users")
    assert "auth.login" in app.text_of("table.audit")
    app.screenshot("07-admin")
    assert console_errors(browser) == []

"""The console in a real browser (headless Chromium through Selenium), as a new admin would use it.

Starts `leadline serve` on a fresh database, then: completes the first-run setup, signs in, creates an API key, adds a
buyer, imports a CSV, opens a lead, approves a return and downloads a backup. Then starts `leadline serve --demo` on
another and signs in with the credentials it printed: within two minutes its dashboard shows simulated traffic. It fails on any error in
the browser's console (a CSP violation included), on any link of a visited page that does not answer 2xx/3xx, and on
any step that does not show what it should. Screenshots of the main pages go to $LEADLINE_SCREENSHOTS
(default .build/screenshots).

Usage: python3 Tests/Browser/walkthrough.py PATH/TO/leadline
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

BINARY = sys.argv[1] if len(sys.argv) > 1 else ".build/release/leadline"
SHOTS = os.environ.get("LEADLINE_SCREENSHOTS", ".build/screenshots")
WORK = tempfile.mkdtemp(prefix="leadline-browser-")
DOWNLOADS = os.path.join(WORK, "downloads")
os.makedirs(DOWNLOADS)
os.makedirs(SHOTS, exist_ok=True)
problems = []


def fail(message):
    raise SystemExit(f"FAIL: {message}")


def start_server(name, demo=False):
    """Starts the binary on a fresh database; answers the process, its base URL and what it printed."""
    database = os.path.join(WORK, f"{name}.db")
    if not demo:
        # The console's first user is an operator; give them a tenant to work in.
        subprocess.run([BINARY, "tenant", "create", "acme", "--db", database], check=True, stdout=subprocess.DEVNULL)
    out = open(os.path.join(WORK, f"{name}.log"), "w+")
    server = subprocess.Popen([BINARY, "serve", "--db", database, "--listen", "127.0.0.1:0"] + (["--demo"] if demo else []),
                              stdout=out, stderr=subprocess.STDOUT)
    ready = r"sign in as (\S+) with password (\S+)" if demo else r"(/admin/setup\?token=[0-9a-f]+)"
    deadline = time.time() + 60
    while time.time() < deadline:
        out.seek(0)
        text = out.read()
        port = re.search(r"listening on http://127\.0\.0\.1:(\d+)", text)
        if port and re.search(ready, text):
            return server, f"http://127.0.0.1:{port.group(1)}", text
        if server.poll() is not None:
            fail(f"the server exited: {text}")
        time.sleep(0.1)
    fail(f"the server did not start: {text}")


def stop(server):
    server.terminate()
    server.wait(timeout=30)


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--disable-gpu"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.add_experimental_option("prefs", {"download.default_directory": DOWNLOADS, "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": DOWNLOADS})
    driver.set_page_load_timeout(30)
    return driver


def api(base, method, path, key, body=None):
    data = json.dumps(body).encode() if body is not None else None
    # lead2inbound (/v1) takes a Bearer key; EZLeeds (/api/v1) takes X-API-Key, and its ping-post X-Compliance-API-Key.
    headers = {"Content-Type": "application/json"}
    if path.startswith("/api/v1/pingpost"):
        headers["X-Compliance-API-Key"] = key
    elif path.startswith("/api/v1"):
        headers["X-API-Key"] = key
    else:
        headers["Authorization"] = "Bearer " + key
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read() or b"{}")


class Walk:
    def __init__(self, driver, base):
        self.driver, self.base, self.checked = driver, base, set()

    def open(self, path):
        self.driver.get(self.base + path)
        self.settle()

    def settle(self):
        WebDriverWait(self.driver, 20).until(lambda d: d.execute_script("return document.readyState") == "complete")
        self.console_errors()

    def console_errors(self):
        for entry in self.driver.get_log("browser"):
            if entry.get("level") == "SEVERE":
                problems.append(f"browser console on {self.driver.current_url}: {entry.get('message')}")

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def expect(self, words, where):
        if words not in self.text():
            fail(f"{where}: expected '{words}' on {self.driver.current_url}; the page says:\n{self.text()[:2000]}")

    def shot(self, name):
        self.driver.save_screenshot(os.path.join(SHOTS, f"{name}.png"))

    def field(self, element_id, value):
        element = self.driver.find_element(By.ID, element_id)
        element.clear()
        element.send_keys(value)

    def submit(self, form_selector):
        """Submits the page's POST form matching `form_selector` (a tenant chooser's GET form can share its action)."""
        self.follow(self.driver.find_element(By.CSS_SELECTOR, form_selector.replace("form[", "form[method=post][", 1) + " button[type=submit]"))

    def follow(self, element):
        """Clicks a link or a form's button and waits for the page it leads to. The page clicked on is already
        complete, so waiting for that alone could read it while it is being replaced (which fails): first it must go."""
        page = self.driver.find_element(By.TAG_NAME, "html")
        element.click()
        WebDriverWait(self.driver, 30).until(expected_conditions.staleness_of(page))
        self.settle()

    def fits_width(self):
        """Nothing makes the page wider than the window (no sideways scrolling of the whole page)."""
        wide = self.driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        if wide > 1:
            problems.append(f"{self.driver.current_url} is {wide} px wider than a {self.driver.get_window_size()['width']} px window")

    def one_line_header(self):
        """At 1280 px the header is one line: its links share a line, and it is no taller than one."""
        tops = self.driver.execute_script("return [...document.querySelectorAll('header.top nav a')].map(e => e.getBoundingClientRect().top)")
        height = self.driver.execute_script("return document.querySelector('header.top').getBoundingClientRect().height")
        if (tops and max(tops) - min(tops) > 4) or height > 70:
            problems.append(f"the header wraps at 1280 px on {self.driver.current_url} ({height:.0f} px tall)")

    def links(self):
        """Every same-origin link of the page answers (with the browser's session)."""
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in self.driver.get_cookies())
        for anchor in self.driver.find_elements(By.CSS_SELECTOR, "a[href]"):
            href = urllib.parse.urljoin(self.driver.current_url, anchor.get_attribute("href"))
            if not href.startswith(self.base) or href in self.checked:
                continue
            self.checked.add(href)
            request = urllib.request.Request(href, headers={"Cookie": cookie})
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    status = answer.status
            except urllib.error.HTTPError as error:
                status = error.code
            if status >= 400:
                problems.append(f"broken link on {self.driver.current_url}: {href} answered {status}")


def living_demo(driver):
    """`serve --demo`: sign in with the printed credentials; within a minute or so the dashboard shows simulated
    traffic (leads sold to the demo's mock buyers)."""
    server, base, printed = start_server("demo", demo=True)
    try:
        email, password = re.search(r"sign in as (\S+) with password (\S+)", printed).groups()
        key = re.search(r"^  (ll_\S+)$", printed, re.M).group(1)
        walk = Walk(driver, base)
        walk.open("/admin/login")
        walk.field("email", email)
        walk.field("password", password)
        walk.submit("form[action='/admin/login']")
        walk.expect("Dashboard", "the demo's console user signs in")
        deadline, report = time.time() + 120, {}
        while time.time() < deadline:
            report = api(base, "GET", "/api/v1/reports/dashboard", key)
            if report.get("leads_delivered", 0) >= 2:
                break
            time.sleep(2)
        else:
            fail(f"the demo showed no life within two minutes: {report}")
        walk.open("/admin")
        walk.links()
        walk.shot("20-demo-dashboard")
        walk.open("/admin/buyers")
        walk.expect("Harbor Insurance Group", "the demo's buyers")
        walk.links()
        walk.shot("21-demo-buyers")
        # A live buyer's test ping: the raw exchange with a mock buyer.
        walk.follow(driver.find_element(By.CSS_SELECTOR, "form[action$='/test-ping'] button"))
        walk.expect("What it read:", "a test ping's reading")
        walk.expect("X-Webhook-Id", "a test ping's request headers")
        walk.shot("23-demo-test-ping")
        # A scenario started from the Simulator page runs against the demo server and reports.
        walk.open("/admin/simulator")
        Select(driver.find_element(By.ID, "sim-scenario")).select_by_value("quick")
        walk.field("sim-duration", "10s")
        walk.submit("form[action='/admin/simulator/runs']")
        walk.expect("Started", "a simulator run started")
        WebDriverWait(driver, 120).until(lambda d: "finished" in d.find_element(By.TAG_NAME, "body").text)
        walk.settle()
        walk.shot("24-demo-simulator")
        walk.open("/admin/leads")
        walk.links()
        walk.shot("22-demo-leads")
        print(f"ok: the demo is alive: {report}")
    finally:
        stop(server)


def main():
    server, base, printed = start_server("walkthrough")
    setup = re.search(r"(/admin/setup\?token=[0-9a-f]+)", printed).group(1)
    driver = browser()
    walk = Walk(driver, base)
    try:
        # First-run setup: the one-time link creates the operator and signs them in.
        walk.open(setup)
        walk.shot("01-setup")
        walk.field("email", "owner@example.com")
        walk.field("password", "a long enough passphrase")
        walk.submit("form[action='/admin/setup']")
        walk.expect("Dashboard", "setup signs in")
        walk.links()
        walk.shot("02-dashboard")

        # Sign out and in again.
        walk.follow(driver.find_element(By.CSS_SELECTOR, "form.signout button[type=submit]"))
        walk.field("email", "owner@example.com")
        walk.field("password", "a long enough passphrase")
        walk.submit("form[action='/admin/login']")
        walk.expect("Dashboard", "sign-in")

        # An API key with every scope; its token is shown once.
        walk.open("/admin/keys")
        walk.field("k-name", "Walkthrough")
        for box in driver.find_elements(By.CSS_SELECTOR, "input[name=scopes]"):
            if not box.is_selected():
                box.click()
        walk.submit("form[action='/admin/keys']")
        walk.expect("Copy it now", "key created")
        token = driver.find_element(By.CSS_SELECTOR, "input.secret").get_attribute("value")
        if not token.startswith("ll_"):
            fail(f"no key token on the page: {token!r}")
        walk.shot("03-api-keys")
        me = api(base, "GET", "/v1/me", token)
        if sorted(me.get("scopes", [])) != ["admin", "compliance", "read", "write"]:
            fail(f"the new key is not what was asked for: {me}")

        # A buyer whose returns wait for review.
        walk.open("/admin/buyers")
        walk.field("b-name", "Walkthrough Legal")
        walk.field("b-bid", "25")
        walk.field("b-states", "NV")
        box = driver.find_element(By.CSS_SELECTOR, "input[name=auto_approve_returns]")
        if box.is_selected():
            box.click()
        walk.submit("form[action='/admin/buyers']")
        walk.expect("Buyer added", "buyer added")
        walk.expect("Walkthrough Legal", "the buyer's page")
        buyer_id = re.search(r"/admin/buyers/(buyer_[^/?]+)", driver.current_url).group(1)
        # Its caps and exclusivity changed on its page.
        walk.field("b-hour", "10")
        walk.field("b-daily", "50")
        walk.field("b-budget", "2500")
        Select(driver.find_element(By.ID, "b-exclusivity")).select_by_value("exclusive")
        walk.submit(f"form[action='/admin/buyers/{buyer_id}']")
        walk.expect("Saved", "buyer saved")
        saved = api(base, "GET", f"/api/v1/buyers/{buyer_id}", token)
        if saved.get("max_leads_per_hour") != 10 or saved.get("monthly_budget_cents") != 250000 or saved.get("exclusivity") != "exclusive":
            fail(f"the buyer's edit did not take: {saved}")
        walk.links()
        walk.shot("04-buyer")
        walk.open("/admin/buyers")
        walk.expect("10/h, 50/day", "the buyer's caps listed")
        walk.links()
        walk.shot("04-buyers")

        # A CSV import, followed until it is done.
        csv_path = os.path.join(WORK, "leads.csv")
        with open(csv_path, "w") as f:
            f.write("phone,first_name,last_name,email,state,consent_timestamp,consent_text_version,consent_url\n")
            for n in range(5):
                f.write(f"51273101{n:02d},Walker{n},Doe,walker{n}@example.com,TX,2026-07-05T12:00:00Z,v2,https://example.com/q\n")
            f.write("123,Broken,Row,,TX,,,\n")
        walk.open("/admin/imports")
        driver.find_element(By.ID, "i-file").send_keys(csv_path)
        walk.submit("form[action='/admin/imports']")
        walk.expect("Choose the columns of leads.csv", "the import's columns")
        walk.shot("05-import-columns")
        walk.submit("form[action='/admin/imports/columns']")
        WebDriverWait(driver, 60).until(lambda d: "done" in d.find_element(By.TAG_NAME, "body").text)
        walk.settle()
        walk.expect("leads.csv", "import listed")
        walk.links()
        walk.shot("05-imports")

        # The leads, and one lead's page.
        walk.open("/admin/leads")
        walk.expect("Walker4", "imported leads listed")
        walk.links()
        walk.shot("06-leads")
        walk.follow(driver.find_element(By.PARTIAL_LINK_TEXT, "Walker2"))
        walk.expect("hash chain intact", "the lead's consent certificate")
        walk.expect("Timeline", "the lead's timeline")
        walk.links()
        walk.shot("07-lead")

        # A sale to the buyer, returned by it, approved in Billing.
        buyer = next(b for b in api(base, "GET", "/api/v1/buyers", token)["items"] if b["name"] == "Walkthrough Legal")
        ping = api(base, "POST", "/api/v1/pingpost/ping", token, {"campaign_type": "legal_pi", "state": "NV", "zip_code": "89101"})
        sold = api(base, "POST", "/api/v1/pingpost/post", token, {
            "ping_id": ping["ping_id"], "buyer_id": buyer["id"],
            "lead": {"first_name": "Returned", "last_name": "Lead", "phone": "7025550123", "state": "NV", "zip_code": "89101"},
            "consent": {"consent_type": "tcpa_express_written", "consent_text": "I agree to be contacted.", "ip_address": "203.0.113.9",
                        "page_url": "https://example.com/intake"}})
        if not sold.get("accepted"):
            fail(f"the sale did not go through: {sold}")
        asked = api(base, "POST", f"/api/v1/leads/{sold['lead_id']}/return", token, {"reason": "wrong_person"})
        walk.open("/admin/billing")
        walk.expect("Walkthrough Legal", "billing lists the buyer")
        walk.follow(driver.find_element(By.CSS_SELECTOR, f"form[action='/admin/billing/returns/{sold['lead_id']}/approve'] button"))
        walk.expect("Return approved", f"return approved (asked: {asked})")
        walk.links()
        walk.shot("08-billing")

        # A backup taken now, downloaded.
        walk.open("/admin/backups")
        walk.submit("form[action='/admin/backups']")
        walk.expect("Backup taken", "backup")
        link = driver.find_element(By.CSS_SELECTOR, "a[href$='/download']")
        name = link.text
        link.click()
        deadline = time.time() + 30
        while time.time() < deadline and not os.path.exists(os.path.join(DOWNLOADS, name)):
            time.sleep(0.2)
        path = os.path.join(DOWNLOADS, name)
        if not os.path.exists(path):
            fail(f"the backup {name} was not downloaded")
        with open(path, "rb") as f:
            if f.read(16) != b"SQLite format 3\x00":
                fail("the downloaded backup is not an SQLite file")
        walk.shot("09-backups")

        # The auction of that sale, replayed against the buyers as they are now.
        walk.open(f"/admin/auctions/{ping['ping_id']}")
        walk.submit(f"form[action='/admin/auctions/{ping['ping_id']}/replay']")
        walk.expect("Walkthrough Legal would win", "the auction's replay")
        walk.shot("12-auction-replay")

        # A campaign added, then its page.
        walk.open("/admin/campaigns")
        walk.field("c-name", "Walkthrough PI")
        walk.field("c-type", "legal_pi")
        walk.field("c-states", "NV")
        walk.field("c-floor", "5")
        walk.submit("form[action='/admin/campaigns']")
        walk.expect("Campaign added", "campaign added")
        walk.links()
        walk.shot("12-campaign")

        for path, name in [("/admin/calls", "10-calls"), ("/admin/sequences", "10-sequences"), ("/admin/domains", "11-domains"), ("/admin/campaigns", "12-campaigns"),
                           ("/admin/billing/invoices", "12-invoices"), ("/admin/compliance", "13-compliance"), ("/admin/audit", "13-audit"), ("/admin/api", "13-api-reference"),
                           ("/admin/settings", "13-settings"), ("/admin/simulator", "13-simulator"), ("/admin", "14-dashboard-after")]:
            walk.open(path)
            walk.links()
            walk.shot(name)
            if path != "/admin/api":
                walk.one_line_header()

        # On a phone, and in the dark: the pages fit the screen's width (wide tables scroll inside their cards).
        driver.set_window_size(390, 844)
        for path, name in [("/admin", "15-phone-dashboard"), ("/admin/leads", "15-phone-leads"), ("/admin/buyers", "15-phone-buyers"),
                           ("/admin/settings", "15-phone-settings")]:
            walk.open(path)
            walk.fits_width()
            walk.shot(name)
        driver.set_window_size(1280, 900)
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        for path, name in [("/admin", "16-dark-dashboard"), ("/admin/buyers", "16-dark-buyers"), ("/admin/leads", "16-dark-leads")]:
            walk.open(path)
            background = driver.execute_script("return getComputedStyle(document.body).backgroundColor")
            if background != "rgb(20, 23, 26)":
                fail(f"dark mode: {path} has background {background}")
            walk.shot(name)
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
        stop(server)
        server = None
        living_demo(driver)
    finally:
        walk.console_errors()
        driver.quit()
        if server:
            stop(server)
    if problems:
        fail("\n".join(problems))
    print(f"ok: the browser walkthrough passed ({len(walk.checked)} links checked); screenshots in {SHOTS}")


if __name__ == "__main__":
    main()

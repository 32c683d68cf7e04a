#!/usr/bin/python3
"""The status page in a real headless Chromium (chromedriver + selenium), against a running fixgated.

Run by status_page_test.cc, which starts fixgated with three QuickFIX LPs and checks afterwards what
the page did (the LP's Logout, the table). Every wait is an explicit WebDriverWait on what the
page shows; any failed check ends the script with exit code 1 and says which check and why.

  /usr/bin/python3 status_page_browser.py --url http://127.0.0.1:PORT --token TOKEN \
      --lps LPA,LPB,LPC --disable LPB --api-toggle LPC --detail LPA --screenshot build/x.png
"""
import argparse
import json
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

REASON = "browser test: LP maintenance"


class CheckFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


def status_of(driver, provider):
    """The status word the page shows for `provider`, or None without a row."""
    return driver.execute_script(
        "const r = document.querySelector(`#lps tr[data-provider='${arguments[0]}']`);"
        "return r ? r.querySelector('.status-word').textContent : null;", provider)


def await_status(driver, provider, word, seconds, what):
    try:
        WebDriverWait(driver, seconds, poll_frequency=0.05).until(
            lambda d: status_of(d, provider) == word)
    except TimeoutException:
        raise CheckFailed(f"{what}: {provider} did not read '{word}' within {seconds} s "
                          f"(it reads {status_of(driver, provider)!r})")


def post(url, token, path, reason):
    request = urllib.request.Request(
        url + "/api/v1" + path, data=json.dumps({"reason": reason}).encode(), method="POST",
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as r:
        check(r.status == 200, f"POST {path}: HTTP {r.status}")


def no_horizontal_scroll(driver, what):
    sizes = driver.execute_script(
        "const e = document.documentElement;"
        "return [e.scrollWidth, e.clientWidth, window.innerWidth];")
    check(sizes[0] <= sizes[1],
          f"{what}: horizontal scroll at {sizes[2]} px: scrollWidth {sizes[0]} > clientWidth "
          f"{sizes[1]}")
    return sizes


def run(args, driver):
    lps = args.lps.split(",")
    wait = WebDriverWait(driver, 15, poll_frequency=0.05)
    driver.get(args.url + "/")
    driver.execute_script("window.__not_reloaded = true;")

    # 1. Every LP reads active.
    for lp in lps:
        await_status(driver, lp, "active", 20, "at load")
    print(f"ok: {', '.join(lps)} read active", flush=True)

    # 2. The kill switch through the page: reason, token (asked once, at the first change),
    #    confirmation; the row reads inactive within 2 s.
    driver.find_element(By.CSS_SELECTOR, f"#lps tr[data-provider='{args.disable}'] button.kill").click()
    reason = wait.until(lambda d: d.find_element(By.ID, "dialog-reason") if
                        d.find_element(By.ID, "dialog-reason").is_displayed() else False)
    check(args.disable in driver.find_element(By.ID, "dialog-title").text,
          "the dialog does not name " + args.disable)
    token_input = driver.find_element(By.ID, "dialog-token")
    check(token_input.is_displayed(), "the first change did not ask for the admin token")
    # Without a reason the page refuses to send.
    driver.find_element(By.ID, "dialog-confirm").click()
    wait.until(lambda d: d.find_element(By.ID, "dialog-error").text != "")
    check(status_of(driver, args.disable) == "active", "disabled without a reason")
    reason.send_keys(REASON)
    token_input.send_keys(args.token)
    confirmed = time.monotonic()
    driver.find_element(By.ID, "dialog-confirm").click()
    await_status(driver, args.disable, "inactive", 2, "after the kill switch")
    print(f"ok: {args.disable} read inactive {time.monotonic() - confirmed:.2f} s after "
          "the confirmation", flush=True)
    stored = driver.execute_script("return sessionStorage.getItem('fixgate-admin-token');")
    check(stored == args.token, "the token is not kept in sessionStorage for the tab")
    row = driver.find_element(By.CSS_SELECTOR, f"#lps tr[data-provider='{args.disable}']")
    check("s-inactive" in row.get_attribute("class"), "the inactive row has no inactive colour")
    check(driver.find_element(By.ID, "backdrop").is_displayed() is False, "the dialog stayed open")

    # 3. Changes made through the API show without a reload.
    post(args.url, args.token, f"/sessions/{args.api_toggle}/disable", "browser test: via the API")
    await_status(driver, args.api_toggle, "inactive", 3, "after a disable through the API")
    post(args.url, args.token, f"/sessions/{args.api_toggle}/enable", "browser test: back")
    await_status(driver, args.api_toggle, "active", 10, "after an enable through the API")
    check(driver.execute_script("return window.__not_reloaded === true;"), "the page reloaded")
    print(f"ok: {args.api_toggle} followed the API to inactive and back without a reload",
          flush=True)

    # 4. The detail view: status history, availability, decoded messages (a Logon with names).
    driver.find_element(By.CSS_SELECTOR, f"#lps tr[data-provider='{args.detail}'] td").click()
    try:
        logon = wait.until(lambda d: next(
            (li for li in d.find_elements(By.CSS_SELECTOR, "#messages li[data-msg-type='A']")
             if "Logon" in li.text and "HeartBtInt" in li.text), False))
    except TimeoutException:
        raise CheckFailed("the detail view shows no decoded Logon: " +
                          driver.find_element(By.ID, "detail").text[:2000])
    check("SenderCompID=" in logon.text, "the Logon's fields are not named: " + logon.text)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#events tbody tr")) > 0)
    wait.until(lambda d: "% active" in d.find_element(By.ID, "avail-text").text)
    heartbeats = driver.find_elements(By.CSS_SELECTOR, "#messages li[data-msg-type='0']")
    check(not heartbeats, "heartbeats are shown by default")
    detail = driver.find_element(By.ID, "detail-actions")
    sequences = detail.find_element(By.CSS_SELECTOR, "button[data-action='sequences']")
    check(not sequences.is_enabled(), "set sequences is enabled while logged on")
    print("ok: the detail view shows the status history, availability and a decoded Logon",
          flush=True)

    # 5. The operators' action log has the page's change.
    try:
        wait.until(lambda d: REASON in d.find_element(By.ID, "audit").text)
    except TimeoutException:
        raise CheckFailed("the action log does not show the disable: " +
                          driver.find_element(By.ID, "audit").text[:1000])
    print("ok: the action log shows the disable with its reason", flush=True)

    # Messages per second need two polls of the counters: wait for a figure, then the screenshot.
    wait.until(lambda d: "/" in d.find_element(
        By.CSS_SELECTOR, f"#lps tr[data-provider='{args.detail}'] td:nth-child(6)").text)
    driver.execute_script("window.scrollTo(0, 0); document.getElementById('toast').hidden = true;")
    driver.save_screenshot(args.screenshot)
    print("ok: screenshot " + args.screenshot, flush=True)

    # 6. A phone's width: no horizontal scroll, the table as cards, the detail view too.
    driver.set_window_size(390, 844)
    width = driver.execute_script("return window.innerWidth;")
    how = "a 390 px wide window"
    if width != 390:  # a browser's minimum window width: emulate the phone's viewport instead
        how = f"an emulated 390 px viewport (the window gave {width} px)"
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 390, "height": 844, "deviceScaleFactor": 1,
                                "mobile": True})
    wait.until(lambda d: d.execute_script("return window.innerWidth;") == 390)
    sizes = no_horizontal_scroll(driver, "the LP table")
    driver.execute_script("document.getElementById('detail').scrollIntoView();")
    no_horizontal_scroll(driver, "the detail view")
    head_hidden = driver.execute_script(
        "return getComputedStyle(document.querySelector('#lps thead')).display === 'none';")
    check(head_hidden, "at 390 px the LP table is not shown as cards")
    if args.phone_screenshot:
        driver.execute_script(
            "window.scrollTo(0, 0); document.getElementById('toast').hidden = true;")
        driver.save_screenshot(args.phone_screenshot)
    print(f"ok: no horizontal scroll at {sizes[2]} px, {how} (scrollWidth {sizes[0]}, "
          f"clientWidth {sizes[1]})", flush=True)


def run_reads_need_token(args, driver):
    """AdminReadsNeedToken=Y: the page loads without a token, then asks for one before reading."""
    wait = WebDriverWait(driver, 15, poll_frequency=0.05)
    driver.get(args.url + "/")
    try:
        token_input = wait.until(lambda d: d.find_element(By.ID, "dialog-token") if
                                 d.find_element(By.ID, "dialog-token").is_displayed() else False)
    except TimeoutException:
        raise CheckFailed("the page did not ask for the token its reads need: " +
                          driver.find_element(By.TAG_NAME, "body").text[:500])
    check(not driver.find_element(By.ID, "dialog-reason").is_displayed(),
          "the token prompt for reads asks for a reason")
    check(driver.find_elements(By.CSS_SELECTOR, "#lps tbody tr") == [],
          "LPs shown before the token was given")
    token_input.send_keys(args.token)
    driver.find_element(By.ID, "dialog-confirm").click()
    for lp in args.lps.split(","):
        await_status(driver, lp, "active", 20, "once the token was given")
    print("ok: the page loaded without a token, asked for it, then read the LPs", flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--lps", required=True)
    p.add_argument("--reads-need-token", action="store_true",
                   help="only check the token prompt of a gateway with AdminReadsNeedToken=Y")
    p.add_argument("--disable")
    p.add_argument("--api-toggle")
    p.add_argument("--detail")
    p.add_argument("--screenshot")
    p.add_argument("--phone-screenshot", default="")
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = p.parse_args()
    if not args.reads_need_token and not (args.disable and args.api_toggle and args.detail and
                                          args.screenshot):
        p.error("--disable, --api-toggle, --detail and --screenshot are required")
    options = Options()
    options.binary_location = args.chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1280,1200", "--hide-scrollbars", "--no-first-run",
              "--disable-extensions"):
        options.add_argument(a)
    try:
        driver = webdriver.Chrome(service=Service(args.chromedriver), options=options)
    except WebDriverException as e:
        print(f"FAIL: cannot start Chromium ({args.chromium}) through {args.chromedriver}: {e}",
              flush=True)
        return 1
    try:
        driver.set_page_load_timeout(30)
        driver.set_script_timeout(10)
        (run_reads_need_token if args.reads_need_token else run)(args, driver)
    except CheckFailed as e:
        print(f"FAIL: {e}", flush=True)
        return 1
    except (TimeoutException, WebDriverException) as e:
        print(f"FAIL: {type(e).__name__}: {e}", flush=True)
        return 1
    finally:
        try:
            logs = driver.get_log("browser")
            for entry in logs:
                if entry.get("level") == "SEVERE":
                    print("browser console: " + entry.get("message", ""), flush=True)
        except WebDriverException:
            pass
        driver.quit()
    print("PASS", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

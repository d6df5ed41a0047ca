#!/usr/bin/python3
"""Drives the listening-test page in real headless Chromium over the DevTools protocol.

Usage: check_listening_page.py PAGE.html ANSWERS.json OUT.csv
ANSWERS.json maps clip file names to the answer to click. The script opens the page offline
(file://), checks that every clip loads and plays, types a listener id, clicks the answers,
reloads the page, checks that the listener id and every answer survived the reload, and writes
the CSV the page exports to OUT.csv. Exit status 0 on success; otherwise a message names the
failed check. Needs Debian's chromium and python3-websocket (run with /usr/bin/python3).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket


class Browser:
    def __init__(self):
        binary = shutil.which("chromium") or shutil.which("chromium-browser")
        if not binary:
            sys.exit("chromium not found: install Debian's chromium (scripts/install-system-packages.sh)")
        self.profile = tempfile.mkdtemp(prefix="studio-chromium-")
        self.process = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
             f"--user-data-dir={self.profile}", "--autoplay-policy=no-user-gesture-required",
             "--no-first-run", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.time() + 60
        while not os.path.exists(port_file) or os.path.getsize(port_file) == 0:
            if time.time() > deadline or self.process.poll() is not None:
                sys.exit("chromium did not start its DevTools endpoint within 60 s")
            time.sleep(0.1)
        port = open(port_file).read().split()[0]
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        page = next(t for t in targets if t.get("type") == "page")
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    sys.exit(f"{method} failed: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, event, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for index, message in enumerate(self.events):
                if message.get("method") == event:
                    del self.events[: index + 1]
                    return message
            self.socket.settimeout(max(deadline - time.time(), 0.1))
            self.events.append(json.loads(self.socket.recv()))
        sys.exit(f"timed out waiting for {event}")

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            sys.exit(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def load(self, url=None):
        self.events.clear()
        if url:
            self.call("Page.navigate", url=url)
        else:
            self.call("Page.reload", ignoreCache=True)
        self.wait_for("Page.loadEventFired")

    def close(self):
        try:
            self.socket.close()
        finally:
            self.process.terminate()
            self.process.wait(timeout=30)
            shutil.rmtree(self.profile, ignore_errors=True)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    page, answers_path, out = sys.argv[1:]
    answers = json.load(open(answers_path))
    browser = Browser()
    try:
        browser.call("Page.enable")
        browser.call("Runtime.enable")
        browser.load("file://" + os.path.abspath(page))
        clips = browser.evaluate("CLIPS")
        if sorted(clips) != sorted(answers):
            sys.exit(f"the page lists {len(clips)} clips, the test expected {len(answers)}")
        played = browser.evaluate("""
            Promise.all(Array.from(document.querySelectorAll("audio")).map(audio => new Promise(resolve => {
              audio.preload = "auto";
              audio.muted = true;
              audio.addEventListener("error", () => resolve({src: audio.src, ok: false, why: "error"}));
              audio.addEventListener("canplaythrough", () => {
                audio.play().then(() => { audio.pause(); resolve({src: audio.src, ok: audio.duration > 0}); },
                                  error => resolve({src: audio.src, ok: false, why: String(error)}));
              }, {once: true});
              audio.load();
            })))""")
        broken = [clip for clip in played if not clip["ok"]]
        if len(played) != len(clips) or broken:
            sys.exit(f"clips that did not play: {broken}")
        browser.evaluate("""(() => { const box = document.getElementById("listener");
            box.value = "browser-test"; box.dispatchEvent(new Event("input")); })()""")
        for clip, answer in answers.items():
            clicked = browser.evaluate(
                f"""(() => {{ const input = document.querySelector('input[name="{clip}"][value="{answer}"]');
                if (!input) return false; input.click(); return true; }})()""")
            if not clicked:
                sys.exit(f"no choice '{answer}' for {clip}")
        browser.load()
        listener = browser.evaluate('document.getElementById("listener").value')
        if listener != "browser-test":
            sys.exit(f"the listener id did not survive a reload (got '{listener}')")
        for clip, answer in answers.items():
            checked = browser.evaluate(f"""document.querySelector('input[name="{clip}"]:checked')?.value ?? null""")
            if checked != answer:
                sys.exit(f"the answer to {clip} did not survive a reload: '{checked}', expected '{answer}'")
        progress = browser.evaluate('document.getElementById("progress").textContent')
        csv = browser.evaluate('document.getElementById("csv").textContent')
        with open(out, "w") as handle:
            handle.write(csv)
        print(f"ok: {len(clips)} clips played, answers survived a reload ({progress.strip()}), CSV written to {out}")
    finally:
        browser.close()


if __name__ == "__main__":
    main()

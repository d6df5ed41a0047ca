"""A minimal Chrome DevTools-protocol driver for the page tests: starts Debian's headless Chromium
with a throw-away profile and talks to its first page over a websocket (Debian's python3-websocket).
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

PLAY_EVERY_AUDIO = """
    Promise.all(Array.from(document.querySelectorAll("audio")).map(audio => new Promise(resolve => {
      audio.preload = "auto";
      audio.muted = true;
      audio.addEventListener("error", () => resolve({src: audio.src.slice(0, 80), ok: false, why: "error"}));
      audio.addEventListener("canplaythrough", () => {
        audio.play().then(() => { audio.pause(); resolve({src: audio.src.slice(0, 80), ok: audio.duration > 0}); },
                          error => resolve({src: audio.src.slice(0, 80), ok: false, why: String(error)}));
      }, {once: true});
      audio.load();
    })))"""


class Tab:
    """One page of the browser, driven over its own DevTools websocket."""

    def __init__(self, websocket_url):
        self.socket = websocket.create_connection(websocket_url, timeout=60)
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.socket.settimeout(60)
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

    def load(self, url):
        self.events.clear()
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def close(self):
        self.socket.close()


class Browser(Tab):
    """Debian's headless Chromium with a throw-away profile; the object itself drives its first page."""

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
        self.endpoint = "http://127.0.0.1:" + open(port_file).read().split()[0]
        targets = json.load(urllib.request.urlopen(self.endpoint + "/json/list"))
        page = next(t for t in targets if t.get("type") == "page")
        super().__init__(page["webSocketDebuggerUrl"])

    def local_storage_on_disk(self, value, timeout):
        """True once Chromium has committed `value` (ASCII) to the profile's localStorage database
        (it commits about 5 s after a write); False after `timeout` seconds."""
        folder = os.path.join(self.profile, "Default", "Local Storage", "leveldb")
        deadline = time.time() + timeout
        while time.time() < deadline:
            for name in os.listdir(folder) if os.path.isdir(folder) else []:
                if name.endswith((".log", ".ldb")):
                    with open(os.path.join(folder, name), "rb") as handle:
                        if value.encode() in handle.read():
                            return True
            time.sleep(0.1)
        return False

    def storage_works(self, timeout=15):
        """Writes a probe to localStorage and waits for it to reach disk. Measured with five
        browsers at once on 2 busy cores: 3 fresh headless Chromiums in 60 never committed the
        probe within 15 s (in such a browser, a page's answers never reached disk either)."""
        probe = f"studio-storage-probe-{os.getpid()}-{time.time()}"
        self.evaluate(f'localStorage.setItem("studio-storage-probe", "{probe}")')
        committed = self.local_storage_on_disk(probe, timeout)
        self.evaluate('localStorage.removeItem("studio-storage-probe")')
        return committed

    def open_page(self, url):
        """Opens `url` in a new tab of the same browser (same profile, same storage) and waits for
        its load event; the first page stays open."""
        request = urllib.request.Request(self.endpoint + "/json/new?about:blank", method="PUT")
        tab = Tab(json.load(urllib.request.urlopen(request))["webSocketDebuggerUrl"])
        tab.call("Page.enable")
        tab.call("Runtime.enable")
        tab.load(url)
        return tab

    def close(self):
        try:
            super().close()
        finally:
            self.process.terminate()
            self.process.wait(timeout=30)
            shutil.rmtree(self.profile, ignore_errors=True)

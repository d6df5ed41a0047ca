#!/usr/bin/python3
"""Opens a run report (`studio report`) offline in real headless Chromium and checks it.

Usage: check_report_page.py REPORT.html [SCREENSHOT.png]
Checks: the page has a title heading, every picture decoded (natural width > 0), every clip loads
and plays, and nothing is fetched from outside the file (every img and audio source is a data URI).
Optionally writes a screenshot of the page. Exit status 0 on success.
"""
import base64
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import PLAY_EVERY_AUDIO, Browser  # noqa: E402


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    browser = Browser()
    try:
        browser.call("Page.enable")
        browser.call("Runtime.enable")
        browser.load("file://" + os.path.abspath(sys.argv[1]))
        heading = browser.evaluate('document.querySelector("h1")?.textContent ?? ""')
        if not heading.startswith("Run "):
            sys.exit(f"no run heading (got '{heading}')")
        images = browser.evaluate("""Array.from(document.images).map(img =>
            ({src: img.src.slice(0, 30), ok: img.complete && img.naturalWidth > 0}))""")
        if not images or any(not image["ok"] for image in images):
            sys.exit(f"pictures that did not load: {[i for i in images if not i['ok']] or 'none on the page'}")
        outside = browser.evaluate("""Array.from(document.querySelectorAll("img, audio, script[src], link[href]"))
            .map(node => node.src || node.href).filter(src => src && !src.startsWith("data:"))""")
        if outside:
            sys.exit(f"the report fetches files from outside itself: {outside}")
        played = browser.evaluate(PLAY_EVERY_AUDIO)
        broken = [clip for clip in played if not clip["ok"]]
        if not played or broken:
            sys.exit(f"clips that did not play: {broken or 'no clips on the page'}")
        if len(sys.argv) == 3:
            shot = browser.call("Page.captureScreenshot", format="png")
            with open(sys.argv[2], "wb") as handle:
                handle.write(base64.b64decode(shot["data"]))
        print(f"ok: {len(images)} pictures, {len(played)} clips played, self-contained")
    finally:
        browser.close()


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Opens a run report (`studio report`) offline in real headless Chromium and checks it.

Usage: check_report_page.py [--image-run] REPORT.html [SCREENSHOT.png]
Checks: the page has a title heading, every picture decoded (natural width > 0), every clip loads
and plays (an audio run's report must hold clips; --image-run: an image run's report holds none),
and nothing is fetched from outside the file (every img and audio source is a data URI).
Optionally writes a screenshot of the page. Exit status 0 on success.
"""
import base64
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import PLAY_EVERY_AUDIO, Browser  # noqa: E402


def main():
    arguments = sys.argv[1:]
    image_run = "--image-run" in arguments
    arguments = [a for a in arguments if a != "--image-run"]
    if len(arguments) not in (1, 2):
        sys.exit(__doc__)
    browser = Browser()
    try:
        browser.call("Page.enable")
        browser.call("Runtime.enable")
        browser.load("file://" + os.path.abspath(arguments[0]))
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
        if broken or (not played and not image_run) or (played and image_run):
            sys.exit(f"clips that did not play: {broken}" if broken else f"{len(played)} clips on the page")
        if len(arguments) == 2:
            shot = browser.call("Page.captureScreenshot", format="png")
            with open(arguments[1], "wb") as handle:
                handle.write(base64.b64decode(shot["data"]))
        print(f"ok: {len(images)} pictures, {len(played)} clips played, self-contained")
    finally:
        browser.close()


if __name__ == "__main__":
    main()

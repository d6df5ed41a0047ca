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
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import PLAY_EVERY_AUDIO, Browser  # noqa: E402


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
        played = browser.evaluate(PLAY_EVERY_AUDIO)
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

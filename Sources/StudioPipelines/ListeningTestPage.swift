import Foundation

/// The listening test's pages: the offline page people open (`index.html`) and an MTurk HIT layout.
/// Neither holds a class label: the answer key lives outside the folder.
enum ListeningTestPage {
    /// A JSON string literal (safe inside a script element).
    static func json(_ value: String) -> String {
        let data = (try? JSONEncoder().encode(value)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "</", with: "<\\/")
    }

    static func jsonArray(_ values: [String]) -> String { "[" + values.map(json).joined(separator: ",") + "]" }

    /// The offline page: one audio player and one choice per clip, answers kept in the browser's
    /// local storage (they survive a reload), a CSV export of `listener,clip,answer`.
    static func html(clips: [String], choices: [String], testID: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Listening test</title>
        <style>
        body { font-family: system-ui, sans-serif; max-width: 760px; margin: 2em auto; padding: 0 1em; color: #222; }
        .clip { border: 1px solid #ccc; border-radius: 6px; padding: 0.6em 1em; margin: 0.6em 0; }
        .clip.answered { border-color: #2c7a2c; background: #f3faf3; }
        .clip h2 { font-size: 1em; margin: 0 0 0.4em 0; }
        label { margin-right: 1.2em; white-space: nowrap; }
        #status { position: sticky; top: 0; background: #fff; padding: 0.5em 0; border-bottom: 1px solid #ddd; }
        button { font-size: 1em; padding: 0.3em 1em; }
        </style>
        </head>
        <body>
        <h1>Listening test</h1>
        <p>Play each clip (headphones help) and choose what you hear. Choose <em>unsure</em> when you cannot
        tell. Your answers are kept in this browser, so you can close the page and come back. When you are
        done, press <strong>Export answers</strong> and send the CSV file it saves.</p>
        <p><label for="listener">Your name or listener id:</label>
        <input id="listener" type="text" autocomplete="off" placeholder="e.g. L07"></p>
        <div id="status"><span id="progress"></span>
        <button id="export" type="button">Export answers (CSV)</button></div>
        <div id="clips"></div>
        <pre id="csv" hidden></pre>
        <script>
        const CLIPS = \(jsonArray(clips));
        const CHOICES = \(jsonArray(choices));
        const STORE = "spectrogram-studio-listening-" + \(json(testID));
        function load() {
          try { return JSON.parse(localStorage.getItem(STORE)) || { listener: "", answers: {} }; }
          catch (error) { return { listener: "", answers: {} }; }
        }
        let state = load();
        function save() { localStorage.setItem(STORE, JSON.stringify(state)); }
        function csvField(value) {
          return /[",\\n]/.test(value) ? '"' + value.replace(/"/g, '""') + '"' : value;
        }
        function csv() {
          const lines = ["listener,clip,answer"];
          for (const clip of CLIPS) {
            if (state.answers[clip]) lines.push([state.listener, clip, state.answers[clip]].map(csvField).join(","));
          }
          return lines.join("\\n") + "\\n";
        }
        function update() {
          const done = CLIPS.filter(clip => state.answers[clip]).length;
          document.getElementById("progress").textContent = done + " of " + CLIPS.length + " answered ";
          for (const clip of CLIPS) {
            document.getElementById("box-" + clip).classList.toggle("answered", Boolean(state.answers[clip]));
          }
          document.getElementById("csv").textContent = csv();
        }
        const listener = document.getElementById("listener");
        listener.value = state.listener;
        listener.addEventListener("input", () => { state.listener = listener.value.trim(); save(); update(); });
        const container = document.getElementById("clips");
        CLIPS.forEach((clip, index) => {
          const box = document.createElement("div");
          box.className = "clip";
          box.id = "box-" + clip;
          const title = document.createElement("h2");
          title.textContent = "Clip " + (index + 1) + " of " + CLIPS.length;
          const audio = document.createElement("audio");
          audio.controls = true;
          audio.preload = "none";
          audio.src = "clips/" + clip;
          box.append(title, audio, document.createElement("br"));
          for (const choice of CHOICES) {
            const label = document.createElement("label");
            const input = document.createElement("input");
            input.type = "radio";
            input.name = clip;
            input.value = choice;
            input.checked = state.answers[clip] === choice;
            input.addEventListener("change", () => { state.answers[clip] = choice; save(); update(); });
            label.append(input, " " + choice);
            box.append(label);
          }
          container.append(box);
        });
        document.getElementById("export").addEventListener("click", () => {
          if (!state.listener) { alert("Please enter your name or listener id first."); listener.focus(); return; }
          const blob = new Blob([csv()], { type: "text/csv" });
          const link = document.createElement("a");
          link.href = URL.createObjectURL(blob);
          link.download = "answers-" + state.listener.replace(/[^A-Za-z0-9_-]/g, "_") + ".csv";
          document.body.append(link);
          link.click();
          link.remove();
        });
        update();
        </script>
        </body>
        </html>

        """
    }

    /// An MTurk HIT layout: `${audio_url_k}` placeholders filled from `batch-input.csv`.
    static func hitLayout(clipsPerHIT: Int, choices: [String]) -> String {
        let questions = (1...max(clipsPerHIT, 1)).map { index in
            let options = choices.map { choice in
                "      <label><input type=\"radio\" name=\"answer_\(index)\" value=\"\(choice)\" required> \(choice)</label>"
            }.joined(separator: "\n")
            return """
                  <div class="clip">
                    <p>Clip \(index)</p>
                    <audio controls preload="none" src="${audio_url_\(index)}"></audio>
                    <input type="hidden" name="clip_\(index)" value="${audio_url_\(index)}">
                    <div>
                \(options)
                    </div>
                  </div>
                """
        }.joined(separator: "\n")
        return """
            <!-- MTurk HIT layout for Spectrogram Studio's listening test: paste into a custom HIT template;
                 each row of batch-input.csv fills ${audio_url_1} ... ${audio_url_\(clipsPerHIT)}. -->
            <script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
            <crowd-form answer-format="flatten-objects">
              <p>Play each clip and choose what you hear (\(choices.joined(separator: " / "))).</p>
            \(questions)
            </crowd-form>

            """
    }
}

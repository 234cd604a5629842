/* The SMS segment counter: the same rules as messaging/encoding.py, on the
 * same tables (gsm_tables.json, embedded in the page by the template).
 * Works in the browser (window.SmsCounter) and in node (module.exports) so
 * tests/messaging/segment_counter.test.js checks it against the shared cases.
 *
 * Every step is linear in the text: a 200,000-character paste is counted in
 * one pass per alphabet, and the page draws a bounded number of nodes (the
 * marked preview stops after PREVIEW_LIMIT characters). An optional ``meter``
 * ({steps: 0}) counts the per-character steps so the tests can prove it.
 */
(function (root) {
  "use strict";

  const ALPHABETS = ["Default", "TurkishSingleShift", "UCS2"];
  const PREVIEW_LIMIT = 2000; // characters shown in the marked preview
  const COSTLY_SHOWN = 40; // distinct costly characters listed

  function prepare(data) {
    return {
      basic: new Set(data.basic.filter((c) => c !== null)),
      extension: new Set(Object.values(data.extension)),
      turkish: new Set(Object.values(data.turkish_single_shift)),
      limits: data.limits,
      lookalikes: data.lookalikes,
    };
  }

  function tick(meter) {
    if (meter) meter.steps += 1;
  }

  // The total width of the text in an alphabet, or -1 when the alphabet cannot carry it.
  // Parts are cut in the same pass: a two-unit character never straddles two parts.
  function measure(chars, alphabet, t, reserve, meter) {
    const single = t.limits[alphabet].single;
    const part = t.limits[alphabet].part;
    const shifted = alphabet === "TurkishSingleShift" ? t.turkish : t.extension;
    let total = 0;
    let parts = 1;
    let used = 0;
    const step = (w) => {
      total += w;
      if (used + w > part) {
        parts += 1;
        used = 0;
      }
      used += w;
    };
    for (const c of chars) {
      tick(meter);
      let w;
      if (alphabet === "UCS2") w = c.codePointAt(0) > 0xffff ? 2 : 1;
      else if (t.basic.has(c)) w = 1;
      else if (shifted.has(c)) w = 2;
      else return null;
      step(w);
    }
    const units = total;
    for (let i = 0; i < reserve; i++) step(1);
    if (chars.length === 0) return { units: 0, parts: 0, perPart: single, remaining: single - reserve };
    if (total <= single) return { units: units, parts: 1, perPart: single, remaining: single - total };
    return { units: units, parts: parts, perPart: part, remaining: part - used };
  }

  function costly(chars, t, meter) {
    const seen = new Set();
    for (const c of chars) {
      tick(meter);
      if (!t.basic.has(c) && !t.extension.has(c)) seen.add(c);
    }
    return Array.from(seen);
  }

  function segments(text, t, reserve, forced, meter) {
    reserve = reserve || 0;
    const chars = Array.from(text); // code points, as Python iterates a str
    let best = null;
    for (const name of forced ? [forced] : ALPHABETS) {
      const r = measure(chars, name, t, reserve, meter);
      if (r === null) continue;
      if (best === null || r.parts < best.parts) {
        best = {
          alphabet: name,
          characters: chars.length,
          units: r.units + reserve,
          parts: r.parts,
          per_part: r.perPart,
          remaining: r.remaining,
        };
      }
    }
    if (best === null) return segments(text, t, reserve, "UCS2", meter);
    best.costly = costly(chars, t, meter);
    return best;
  }

  // The start of the text cut into plain runs and costly characters: at most ``limit`` characters,
  // so the number of pieces (and of page nodes) is bounded whatever the length of the text.
  function previewPieces(text, costlySet, limit, meter) {
    const pieces = [];
    let plain = "";
    let n = 0;
    let cut = false;
    for (const c of text) {
      tick(meter);
      if (n >= limit) {
        cut = true;
        break;
      }
      n += 1;
      if (!costlySet.has(c)) {
        plain += c;
        continue;
      }
      if (plain) pieces.push({ text: plain, costly: false });
      plain = "";
      pieces.push({ text: c, costly: true });
    }
    if (plain) pieces.push({ text: plain, costly: false });
    return { pieces: pieces, cut: cut };
  }

  function replaceLookalikes(text, t) {
    let out = "";
    for (const c of text) out += Object.prototype.hasOwnProperty.call(t.lookalikes, c) ? t.lookalikes[c] : c;
    return out;
  }

  const api = {
    prepare: prepare,
    segments: segments,
    previewPieces: previewPieces,
    replaceLookalikes: replaceLookalikes,
    PREVIEW_LIMIT: PREVIEW_LIMIT,
  };

  if (typeof module !== "undefined" && module.exports) {
    module.exports = api;
    return;
  }
  root.SmsCounter = api;

  // --- the compose page -------------------------------------------------------
  function readJson(id, fallback) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : fallback;
  }

  function init() {
    const box = document.querySelector("[data-sms-counter]");
    const tablesNode = document.getElementById("gsm-tables");
    if (!box || !tablesNode) return;
    const t = prepare(JSON.parse(tablesNode.textContent));
    const textarea = document.getElementById(box.dataset.textarea);
    const recipients = document.getElementById(box.dataset.recipients);
    const upload = document.getElementById(box.dataset.upload);
    const groups = readJson("sms-groups", {}); // {id: {size, fields}}
    const kept = readJson("sms-kept-file", null); // {count, fields} of the file kept from the last try
    const reserveOf = () => parseInt(box.dataset.reserve || "0", 10) || 0;
    // Price, balance and currency come from the balance card, which htmx replaces once the worker has read them.
    const card = () => document.getElementById("balance-card") || box;
    const price = () => parseFloat(card().dataset.partPrice || "0") || 0;
    const balance = () => (card().dataset.balance ? parseFloat(card().dataset.balance) : null);
    const limits = readJson("sms-max-parts", {}); // {account id: most parts per message}
    const accountSelect = document.getElementById(box.dataset.account);
    const maxParts = () =>
      (accountSelect && limits[accountSelect.value]) || parseInt(box.dataset.maxParts || "0", 10) || 0;
    const labels = JSON.parse(box.dataset.labels);
    const out = (name) => box.querySelector('[data-out="' + name + '"]');
    const highlight = box.querySelector("[data-costly]");
    const fixButton = box.querySelector("[data-fix-lookalikes]");
    const preview = document.querySelector("[data-sms-preview]");
    const visible = (c) => (c === "\u00a0" ? "\u2423" : c);
    const codePoint = (c) => "U+" + c.codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
    let chosenFile = null; // {count, fields} of a CSV chosen now (read in the browser)

    function typedCount() {
      if (!recipients) return 0;
      // A rough count while typing (the server parses each number properly):
      // pieces between commas and new lines, or words when a piece is too long for one number.
      const seen = new Set();
      const digitsOf = (raw) => raw.replace(/[^\d]/g, "").replace(/^(00|0)/, "").replace(/^90(?=\d{10}$)/, "");
      for (const piece of recipients.value.split(/[\n,;]+/)) {
        const whole = digitsOf(piece);
        if (whole.length >= 7 && whole.length <= 15) {
          seen.add(whole);
          continue;
        }
        for (const word of piece.split(/\s+/)) {
          const digits = digitsOf(word);
          if (digits.length >= 7 && digits.length <= 15) seen.add(digits);
        }
      }
      return seen.size;
    }

    function sources() {
      let count = typedCount();
      const fields = new Set(["name"]);
      document.querySelectorAll('input[name="groups"]:checked').forEach(function (input) {
        const g = groups[input.value];
        if (!g) return;
        count += g.size;
        g.fields.forEach((f) => fields.add(f));
      });
      const file = chosenFile || (upload && upload.files && upload.files.length ? null : kept);
      if (file) {
        count += file.count;
        file.fields.forEach((f) => fields.add(f));
      }
      return { count: count, fields: Array.from(fields).sort() };
    }

    function drawPreview(s) {
      if (!preview) return;
      preview.textContent = "";
      const found = previewPieces(textarea.value, new Set(s.costly), PREVIEW_LIMIT);
      for (const piece of found.pieces) {
        if (!piece.costly) {
          preview.appendChild(document.createTextNode(piece.text));
          continue;
        }
        const mark = document.createElement("mark");
        mark.textContent = visible(piece.text);
        mark.title = codePoint(piece.text);
        preview.appendChild(mark);
      }
      if (found.cut) preview.appendChild(document.createTextNode(" …"));
      preview.hidden = s.costly.length === 0;
    }

    function render() {
      const s = segments(textarea.value, t, reserveOf());
      out("characters").textContent = s.characters;
      out("parts").textContent = s.parts;
      out("remaining").textContent = s.remaining;
      out("alphabet").textContent = labels[s.alphabet] || s.alphabet;
      box.dataset.alphabet = s.alphabet;
      const tooLong = box.querySelector("[data-too-long]");
      const most = maxParts();
      if (tooLong) {
        tooLong.hidden = !(most && s.parts > most);
        const limitOut = tooLong.querySelector("[data-out=max-parts]");
        if (limitOut) limitOut.textContent = most;
      }
      const found = sources();
      out("recipients").textContent = found.count;
      const names = out("placeholders");
      if (names) {
        names.textContent = "";
        for (const f of found.fields) {
          const code = document.createElement("code");
          code.className = "me-1";
          code.textContent = "{" + f + "}";
          names.appendChild(code);
        }
      }
      const cost = s.parts * found.count * price();
      // Written like the server writes amounts in the page's language (0,05 in Turkish), no grouping.
      out("cost").textContent = cost.toLocaleString(document.documentElement.lang || undefined, {
        minimumFractionDigits: 2,
        maximumFractionDigits: 2,
        useGrouping: false,
      });
      const currency = out("currency");
      if (currency) currency.textContent = card().dataset.currency || "";
      const warn = box.querySelector("[data-balance-warning]");
      const known = balance();
      if (warn) warn.hidden = !(known !== null && cost > known);
      highlight.textContent = "";
      for (const c of s.costly.slice(0, COSTLY_SHOWN)) {
        const mark = document.createElement("mark");
        mark.className = "me-1 px-1 border";
        mark.textContent = visible(c);
        mark.title = codePoint(c);
        highlight.appendChild(mark);
      }
      if (s.costly.length > COSTLY_SHOWN) highlight.appendChild(document.createTextNode("…"));
      highlight.parentElement.hidden = s.costly.length === 0;
      drawPreview(s);
      fixButton.hidden = replaceLookalikes(textarea.value, t) === textarea.value;
    }

    // Counting is linear and the page draws a bounded number of nodes, so every input is counted at once.
    const schedule = render;

    function readChosenFile() {
      chosenFile = null;
      const file = upload && upload.files && upload.files[0];
      if (!file || !/\.(csv|txt)$/i.test(file.name)) return schedule();
      file.text().then(function (text) {
        const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
        const first = (lines[0] || "").split(/[;,\t]/).map((h) => h.trim().toLowerCase().replace(/^"|"$/g, ""));
        const headed = first.some((h) => /^(phone|number|numara|telefon|tel|gsm|cep|mobile|msisdn)$/.test(h));
        chosenFile = {
          count: Math.max(0, lines.length - (headed ? 1 : 0)),
          fields: headed ? first.filter((h) => /^[\p{L}\p{N}_]+$/u.test(h)) : [],
        };
        schedule();
      });
    }

    fixButton.addEventListener("click", function (event) {
      event.preventDefault();
      textarea.value = replaceLookalikes(textarea.value, t);
      render();
    });
    textarea.addEventListener("input", schedule);
    if (recipients) recipients.addEventListener("input", schedule);
    if (upload) upload.addEventListener("change", readChosenFile);
    if (accountSelect) accountSelect.addEventListener("change", schedule);
    document.querySelectorAll('input[name="groups"]').forEach((input) => input.addEventListener("change", schedule));
    document.body.addEventListener("htmx:afterSettle", schedule); // the balance card was read again
    render();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})(typeof window !== "undefined" ? window : this);

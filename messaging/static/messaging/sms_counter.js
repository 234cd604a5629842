/* The SMS segment counter: the same rules as messaging/encoding.py, on the
 * same tables (gsm_tables.json, embedded in the page by the template).
 * Works in the browser (window.SmsCounter) and in node (module.exports) so
 * tests/messaging/segment_counter.test.js checks it against the shared cases.
 */
(function (root) {
  "use strict";

  const ALPHABETS = ["Default", "TurkishSingleShift", "UCS2"];

  function prepare(data) {
    return {
      basic: new Set(data.basic.filter((c) => c !== null)),
      extension: new Set(Object.values(data.extension)),
      turkish: new Set(Object.values(data.turkish_single_shift)),
      limits: data.limits,
      lookalikes: data.lookalikes,
    };
  }

  function widths(chars, alphabet, t) {
    if (alphabet === "UCS2") {
      return chars.map((c) => (c.codePointAt(0) > 0xffff ? 2 : 1));
    }
    const shifted = alphabet === "TurkishSingleShift" ? t.turkish : t.extension;
    const out = [];
    for (const c of chars) {
      if (t.basic.has(c)) out.push(1);
      else if (shifted.has(c)) out.push(2);
      else return null;
    }
    return out;
  }

  function countParts(ws, alphabet, reserve, t) {
    const single = t.limits[alphabet].single;
    const part = t.limits[alphabet].part;
    const all = ws.concat(new Array(reserve).fill(1));
    const total = all.reduce((a, b) => a + b, 0);
    if (total <= single) return { parts: 1, perPart: single, remaining: single - total };
    let parts = 1;
    let used = 0;
    for (const w of all) {
      if (used + w > part) {
        parts += 1;
        used = 0;
      }
      used += w;
    }
    return { parts: parts, perPart: part, remaining: part - used };
  }

  function costly(chars, t) {
    const seen = [];
    for (const c of chars) {
      if (!t.basic.has(c) && !t.extension.has(c) && seen.indexOf(c) === -1) seen.push(c);
    }
    return seen;
  }

  function segments(text, t, reserve, forced) {
    reserve = reserve || 0;
    const chars = Array.from(text); // code points, as Python iterates a str
    let best = null;
    for (const name of forced ? [forced] : ALPHABETS) {
      const ws = widths(chars, name, t);
      if (ws === null) continue;
      const r = countParts(ws, name, reserve, t);
      if (best === null || r.parts < best.parts) {
        best = {
          alphabet: name,
          characters: chars.length,
          units: ws.reduce((a, b) => a + b, 0) + reserve,
          parts: r.parts,
          per_part: r.perPart,
          remaining: r.remaining,
        };
      }
    }
    if (best === null) return segments(text, t, reserve, "UCS2");
    best.costly = costly(chars, t);
    return best;
  }

  function replaceLookalikes(text, t) {
    return Array.from(text)
      .map((c) => (Object.prototype.hasOwnProperty.call(t.lookalikes, c) ? t.lookalikes[c] : c))
      .join("");
  }

  const api = { prepare: prepare, segments: segments, replaceLookalikes: replaceLookalikes };

  if (typeof module !== "undefined" && module.exports) {
    module.exports = api;
    return;
  }
  root.SmsCounter = api;

  // --- the compose page -------------------------------------------------------
  function init() {
    const box = document.querySelector("[data-sms-counter]");
    const tablesNode = document.getElementById("gsm-tables");
    if (!box || !tablesNode) return;
    const t = prepare(JSON.parse(tablesNode.textContent));
    const textarea = document.getElementById(box.dataset.textarea);
    const recipients = document.getElementById(box.dataset.recipients);
    const reserveOf = () => parseInt(box.dataset.reserve || "0", 10) || 0;
    const price = parseFloat(box.dataset.partPrice || "0") || 0;
    const balance = box.dataset.balance === "" ? null : parseFloat(box.dataset.balance);
    const labels = JSON.parse(box.dataset.labels);
    const out = (name) => box.querySelector('[data-out="' + name + '"]');
    const highlight = box.querySelector("[data-costly]");
    const fixButton = box.querySelector("[data-fix-lookalikes]");
    const preview = document.querySelector("[data-sms-preview]");
    const visible = (c) => (c === "\u00a0" ? "\u2423" : c);
    const codePoint = (c) => "U+" + c.codePointAt(0).toString(16).toUpperCase().padStart(4, "0");

    function recipientCount() {
      if (!recipients) return parseInt(box.dataset.recipientCount || "0", 10) || 0;
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
      return seen.size + (parseInt(box.dataset.recipientCount || "0", 10) || 0);
    }

    function render() {
      const s = segments(textarea.value, t, reserveOf());
      out("characters").textContent = s.characters;
      out("parts").textContent = s.parts;
      out("remaining").textContent = s.remaining;
      out("alphabet").textContent = labels[s.alphabet] || s.alphabet;
      box.dataset.alphabet = s.alphabet;
      const n = recipientCount();
      out("recipients").textContent = n;
      const cost = s.parts * n * price;
      out("cost").textContent = cost.toFixed(2);
      const warn = box.querySelector("[data-balance-warning]");
      if (warn) warn.hidden = !(balance !== null && cost > balance);
      highlight.textContent = "";
      for (const c of s.costly) {
        const mark = document.createElement("mark");
        mark.className = "me-1 px-1 border";
        mark.textContent = visible(c);
        mark.title = codePoint(c);
        highlight.appendChild(mark);
      }
      highlight.parentElement.hidden = s.costly.length === 0;
      // The text itself, with every costly character marked where it stands.
      if (preview) {
        preview.textContent = "";
        const costly = new Set(s.costly);
        let plain = "";
        for (const c of Array.from(textarea.value)) {
          if (!costly.has(c)) {
            plain += c;
            continue;
          }
          preview.appendChild(document.createTextNode(plain));
          plain = "";
          const mark = document.createElement("mark");
          mark.textContent = visible(c);
          mark.title = codePoint(c);
          preview.appendChild(mark);
        }
        preview.appendChild(document.createTextNode(plain));
        preview.hidden = s.costly.length === 0;
      }
      fixButton.hidden = replaceLookalikes(textarea.value, t) === textarea.value;
    }

    fixButton.addEventListener("click", function (event) {
      event.preventDefault();
      textarea.value = replaceLookalikes(textarea.value, t);
      render();
    });
    textarea.addEventListener("input", render);
    if (recipients) recipients.addEventListener("input", render);
    render();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})(typeof window !== "undefined" ? window : this);

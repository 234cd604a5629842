// The browser's counter stays linear: a 200,000-character Turkish paste is counted in a
// bounded number of steps per character, and the page draws a bounded number of pieces.
// Run by tests/messaging/test_compose_limits.py through `node --test`.
const test = require("node:test");
const assert = require("node:assert");
const path = require("node:path");
const fs = require("node:fs");

const root = path.join(__dirname, "..", "..");
const counter = require(path.join(root, "messaging", "static", "messaging", "sms_counter.js"));
const tables = counter.prepare(
  JSON.parse(fs.readFileSync(path.join(root, "messaging", "static", "messaging", "gsm_tables.json"), "utf8")),
);

function turkish(n) {
  const line = "Kargonuz yola çıktı, Şişli şubesinden alabilirsiniz; İğdır'a ğüşöç. ";
  return line.repeat(Math.ceil(n / line.length)).slice(0, n);
}

function steps(text) {
  const meter = { steps: 0 };
  const s = counter.segments(text, tables, 5, undefined, meter);
  const preview = counter.previewPieces(text, new Set(s.costly), counter.PREVIEW_LIMIT, meter);
  return { meter: meter.steps, s: s, preview: preview };
}

test("200,000 Turkish characters are counted in a few steps per character", () => {
  const big = steps(turkish(200000));
  assert.strictEqual(big.s.characters, 200000);
  assert.strictEqual(big.s.alphabet, "TurkishSingleShift");
  // three alphabets tried at most, one pass for the costly characters, one for the preview's start
  assert.ok(big.meter <= 4 * 200000 + counter.PREVIEW_LIMIT + 1, "steps: " + big.meter);
});

test("ten times the text is ten times the steps (linear, not quadratic)", () => {
  const small = steps(turkish(20000)).meter;
  const big = steps(turkish(200000)).meter;
  const ratio = big / small;
  assert.ok(ratio > 9 && ratio < 11, "ratio " + ratio);
});

test("a text of 20,000 distinct characters lists them without a quadratic search", () => {
  let text = "";
  for (let i = 0; i < 20000; i++) text += String.fromCodePoint(0x4e00 + i);
  const meter = { steps: 0 };
  const s = counter.segments(text.repeat(10), tables, 0, undefined, meter);
  assert.strictEqual(s.alphabet, "UCS2");
  assert.strictEqual(s.costly.length, 20000);
  assert.ok(meter.steps <= 4 * 200000, "steps: " + meter.steps);
});

test("the marked preview of a long text has a bounded number of pieces", () => {
  const big = steps(turkish(200000));
  assert.ok(big.preview.cut);
  assert.ok(big.preview.pieces.length <= counter.PREVIEW_LIMIT);
  const shown = big.preview.pieces.map((p) => p.text).join("");
  assert.strictEqual(Array.from(shown).length, counter.PREVIEW_LIMIT);
  assert.strictEqual(shown, turkish(counter.PREVIEW_LIMIT));
});

test("the empty text is 0 SMS", () => {
  assert.strictEqual(counter.segments("", tables, 0).parts, 0);
  assert.strictEqual(counter.segments("", tables, 5).parts, 0);
});

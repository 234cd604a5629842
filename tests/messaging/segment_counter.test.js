// The browser's counter against the cases the Python counter is tested with.
// Run by tests/messaging/test_encoding.py through `node --test`.
const test = require("node:test");
const assert = require("node:assert");
const path = require("node:path");
const fs = require("node:fs");

const root = path.join(__dirname, "..", "..");
const counter = require(path.join(root, "messaging", "static", "messaging", "sms_counter.js"));
const tables = counter.prepare(
  JSON.parse(fs.readFileSync(path.join(root, "messaging", "static", "messaging", "gsm_tables.json"), "utf8")),
);
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, "segment_cases.json"), "utf8"));

for (const c of fixture.cases) {
  test(c.name, () => {
    const s = counter.segments(c.text, tables, c.reserve);
    assert.deepStrictEqual(
      { alphabet: s.alphabet, characters: s.characters, units: s.units, parts: s.parts },
      { alphabet: c.alphabet, characters: c.characters, units: c.units, parts: c.parts },
    );
  });
}

for (const c of fixture.lookalikes) {
  test("look-alikes: " + c.replaced, () => {
    const replaced = counter.replaceLookalikes(c.text, tables);
    assert.strictEqual(replaced, c.replaced);
    assert.strictEqual(counter.segments(replaced, tables, 0).alphabet, c.alphabet);
  });
}

for (const c of fixture.costly) {
  test("costly characters of " + c.text, () => {
    assert.deepStrictEqual(counter.segments(c.text, tables, 0).costly, c.costly);
  });
}

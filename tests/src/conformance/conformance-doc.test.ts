import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// docs/conformance.md names, for each statement, the tests that check it. These checks keep the
// document and the tests in step: every reference points at a real test, every test is listed,
// and every statement row has a test or a reason.

const conformanceDir = new URL("./", import.meta.url);
const document = readFileSync(new URL("../../../docs/conformance.md", import.meta.url), "utf8");

const testsByFile = new Map(
  readdirSync(conformanceDir)
    .filter((file) => file.endsWith(".test.ts"))
    .map((file) => {
      const source = readFileSync(new URL(file, conformanceDir), "utf8");
      const names = [...source.matchAll(/\bit\(\s*"(\[MQTT-[^"]*)"/g)].map(
        (match) => match[1] ?? "",
      );
      return [file, names] as const;
    }),
);

// Table rows as trimmed cells: [statement, binds, paraphrase, tests or reason]. Cells may be
// padded by the Markdown formatter, so rows are split on "|" and trimmed.
const statementRows = document
  .split("\n")
  .filter((line) => /^\|\s*\[MQTT-[\d.-]+\]\s*\|/.test(line))
  .map((line) =>
    line
      .slice(1, line.lastIndexOf("|"))
      .split("|")
      .map((cell) => cell.trim()),
  );

describe("docs/conformance.md", () => {
  it("lists every statement once, each with a test or a reason", () => {
    const ids = statementRows.map((cells) => cells[0]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(140);
    for (const cells of statementRows) {
      expect(cells[3]?.length ?? 0, cells[0]).toBeGreaterThan(10);
    }
  });

  it("refers only to tests that exist, under the statement they are named after", () => {
    for (const cells of statementRows) {
      const id = cells[0] ?? "";
      for (const reference of (cells[3] ?? "").matchAll(/`([\w-]+\.test\.ts)` › ([^<|]+)/g)) {
        const [, file = "", name = ""] = reference;
        expect(testsByFile.get(file), `${file} in ${id}`).toContain(name.trim());
        expect(name.startsWith(id), `${name} listed under ${id}`).toBe(true);
      }
    }
  });

  it("lists every conformance test", () => {
    for (const [file, names] of testsByFile) {
      for (const name of names)
        expect(document, `${file} › ${name}`).toContain(`\`${file}\` › ${name}`);
    }
  });
});

import { describe, expect, it } from "vitest";
import { lineDiff } from "../src/panels/DeployPanel";

describe("lineDiff (the Deploy dialog's code review)", () => {
  it("keeps common lines and marks what was removed and added", () => {
    const d = lineDiff("a = 1\nresult = a", "a = 1\nimport os\nresult = os.environ");
    expect(d).toEqual([
      { op: " ", text: "a = 1" },
      { op: "-", text: "result = a" },
      { op: "+", text: "import os" },
      { op: "+", text: "result = os.environ" },
    ]);
  });
  it("shows a first deploy as all added and a removal as all removed", () => {
    expect(lineDiff("", "x\ny").map((l) => l.op)).toEqual(["+", "+"]);
    expect(lineDiff("x", "").map((l) => l.op)).toEqual(["-"]);
  });
});

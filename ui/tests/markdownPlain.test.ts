import { describe, expect, it } from "vitest";
import { markdownToPlain } from "../src/ui/Markdown";

describe("markdownToPlain", () => {
  it("drops bold, italics, code and link markup but keeps their text", () => {
    expect(
      markdownToPlain(
        "Call an Airflow **HTTP connection** with a [JMESPath](https://jmespath.org) `endpoint`, *fast*.",
      ),
    ).toBe("Call an Airflow HTTP connection with a JMESPath endpoint, fast.");
  });
  it("leaves plain text as it is", () => {
    expect(markdownToPlain("Count the words of a text.")).toBe("Count the words of a text.");
  });
});

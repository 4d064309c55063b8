import { describe, expect, it } from "vitest";
import { exactTime, relativeTime } from "../src/panels/when";

const NOW = Date.parse("2026-03-10T12:00:00Z");

describe("relativeTime", () => {
  it("says just now under a minute", () => {
    expect(relativeTime("2026-03-10T11:59:30Z", NOW)).toBe("just now");
  });
  it("counts minutes, hours and days back", () => {
    expect(relativeTime("2026-03-10T11:55:00Z", NOW)).toBe("5 minutes ago");
    expect(relativeTime("2026-03-10T09:00:00+00:00", NOW)).toBe("3 hours ago");
    expect(relativeTime("2026-03-09T12:00:00Z", NOW)).toBe("yesterday");
    expect(relativeTime("2026-02-20T12:00:00Z", NOW)).toBe("3 weeks ago");
  });
  it("reads a time without a zone as UTC (SQLite drops it)", () => {
    expect(relativeTime("2026-03-10T11:00:00", NOW)).toBe("1 hour ago");
  });
  it("is empty for a missing or broken time", () => {
    expect(relativeTime(null, NOW)).toBe("");
    expect(relativeTime("not a date", NOW)).toBe("");
    expect(exactTime(undefined)).toBe("");
  });
  it("gives the exact time with its year for the hover", () => {
    expect(exactTime("2026-03-10T11:00:00Z")).toMatch(/2026/);
  });
});

import { describe, expect, it } from "vitest";
import { displayTextProblem } from "./display-text.js";

describe("display text rules", () => {
  it("refuses text with nothing visible", () => {
    for (const text of ["", " ", "\u200b\u200b", "\u3164", "\u115f\u1160", "\uffa0", "\u2800"]) {
      expect(displayTextProblem(text), JSON.stringify(text)).toMatch(/visible/);
    }
    for (const text of ["\u00a0\u2003", "\ufe0f", "\u034f", "\u0301\u0301", "\u2060"]) {
      expect(displayTextProblem(text), JSON.stringify(text)).toMatch(/visible/);
    }
  });

  it("refuses bidi controls anywhere, and control characters", () => {
    for (const c of ["\u061c", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069"]) {
      expect(displayTextProblem(`name${c}`)).toMatch(/bidirectional/);
    }
    for (const c of [
      "\t",
      "\n",
      "\u001b",
      "\u007f",
      "\u0085",
      "\ufdd0",
      "\uffff",
      "\u{1fffe}",
      "\u{10ffff}",
    ]) {
      expect(displayTextProblem(`a${c}b`)).toMatch(/control/);
    }
  });

  it("accepts names in any script, with marks, joiners and emoji", () => {
    for (const text of ["Ada", "a b", "محمد", "עברית", "日本", "e\u0301", "👩‍💻", "x\u200dy"]) {
      expect(displayTextProblem(text), text).toBeUndefined();
    }
  });
});

// A small syntax highlighter for the co-pilot's code blocks (Python, JSON, YAML, logs): tokens
// rendered as spans, no HTML strings, so nothing the model writes can inject markup.
export type TokenKind = "kw" | "str" | "num" | "com" | "err" | "plain";
export interface Token {
  text: string;
  kind: TokenKind;
}

const KEYWORDS: Record<string, Set<string>> = {
  python: new Set(
    "and as assert async await break class continue def del elif else except finally for from global if import in is lambda None nonlocal not or pass raise return True False try while with yield".split(
      " ",
    ),
  ),
  json: new Set(["true", "false", "null"]),
  yaml: new Set(["true", "false", "null", "yes", "no"]),
};

const RULES: [TokenKind, RegExp][] = [
  ["com", /^(#[^\n]*|\/\/[^\n]*)/],
  ["str", /^("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')/],
  ["num", /^\b\d+(?:\.\d+)?\b/],
  ["plain", /^[A-Za-z_][A-Za-z0-9_]*/],
  ["plain", /^\s+/],
  ["plain", /^./],
];

export function tokenize(code: string, language: string): Token[] {
  const lang = language.toLowerCase();
  if (lang === "log" || lang === "text") {
    return code.split(/(\n)/).map((line) => ({
      text: line,
      kind: /\b(ERROR|Error|Exception|Traceback|FAILED|CRITICAL)\b/.test(line) ? "err" : "plain",
    }));
  }
  const keywords = KEYWORDS[lang === "py" ? "python" : lang] ?? KEYWORDS.python;
  const out: Token[] = [];
  let rest = code;
  while (rest.length > 0) {
    for (const [kind, re] of RULES) {
      const m = re.exec(rest);
      if (!m) continue;
      const text = m[0];
      const isKw = kind === "plain" && keywords.has(text);
      const actual: TokenKind = kind === "com" && lang === "json" ? "plain" : isKw ? "kw" : kind;
      const last = out[out.length - 1];
      if (last && last.kind === actual && actual === "plain") last.text += text;
      else out.push({ text, kind: actual });
      rest = rest.slice(text.length);
      break;
    }
  }
  return out;
}

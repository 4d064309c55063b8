// A highlighted code block with a copy button.
import { useMemo, useState } from "react";
import { tokenize } from "./highlight";

export function CodeBlock({ language, code, title }: { language: string; code: string; title?: string }) {
  const tokens = useMemo(() => tokenize(code, language), [code, language]);
  const [copied, setCopied] = useState(false);
  const copy = () => {
    void navigator.clipboard?.writeText(code).then(() => {
      setCopied(true);
      setTimeout(() => setCopied(false), 1200);
    });
  };
  return (
    <div className="cv-cp-code" data-testid="copilot-code">
      <div className="cv-cp-code-head">
        <span>{title || language}</span>
        <button className="cv-btn small" onClick={copy}>
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      <pre>
        <code data-language={language}>
          {tokens.map((t, i) =>
            t.kind === "plain" ? (
              t.text
            ) : (
              <span key={i} className={`cv-tok-${t.kind}`}>
                {t.text}
              </span>
            ),
          )}
        </code>
      </pre>
    </div>
  );
}

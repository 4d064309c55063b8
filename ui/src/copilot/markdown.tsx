// A safe Markdown subset for co-pilot replies: paragraphs, headings, lists, fenced code, inline
// code, bold, italic and http(s) links, rendered as React elements (never as HTML strings).
import { Fragment, type ReactNode } from "react";
import { CodeBlock } from "./CodeBlock";

export type Block =
  | { kind: "p"; text: string }
  | { kind: "h"; level: number; text: string }
  | { kind: "ul" | "ol"; items: string[] }
  | { kind: "code"; language: string; code: string };

export function parseBlocks(markdown: string): Block[] {
  const lines = markdown.replace(/\r\n/g, "\n").split("\n");
  const blocks: Block[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length) blocks.push({ kind: "p", text: para.join(" ") });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^```\s*([\w+-]*)\s*$/.exec(line);
    if (fence) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) code.push(lines[i]);
      blocks.push({ kind: "code", language: fence[1] || "text", code: code.join("\n") });
      continue;
    }
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    const bullet = /^\s*[-*]\s+(.*)$/.exec(line);
    const numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      blocks.push({ kind: "h", level: heading[1].length, text: heading[2] });
    } else if (bullet || numbered) {
      flush();
      const kind = bullet ? "ul" : "ol";
      const text = (bullet ?? numbered)![1];
      const last = blocks[blocks.length - 1];
      if (last && last.kind === kind) last.items.push(text);
      else blocks.push({ kind, items: [text] });
    } else if (!line.trim()) {
      flush();
    } else {
      para.push(line.trim());
    }
  }
  flush();
  return blocks;
}

const INLINE = /(`[^`]+`|\*\*[^*]+\*\*|\*[^*\s][^*]*\*|\[[^\]]+\]\(https?:\/\/[^)\s]+\))/g;

export function inline(text: string): ReactNode[] {
  return text.split(INLINE).map((piece, i) => {
    if (piece.startsWith("`") && piece.endsWith("`") && piece.length > 1)
      return <code key={i}>{piece.slice(1, -1)}</code>;
    if (piece.startsWith("**") && piece.endsWith("**") && piece.length > 3)
      return <strong key={i}>{inline(piece.slice(2, -2))}</strong>;
    if (piece.startsWith("*") && piece.endsWith("*") && piece.length > 2)
      return <em key={i}>{inline(piece.slice(1, -1))}</em>;
    const link = /^\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)$/.exec(piece);
    if (link)
      return (
        <a key={i} href={link[2]} target="_blank" rel="noreferrer noopener">
          {link[1]}
        </a>
      );
    return <Fragment key={i}>{piece}</Fragment>;
  });
}

export function Markdown({ text }: { text: string }) {
  return (
    <div className="cv-md">
      {parseBlocks(text).map((b, i) => {
        if (b.kind === "code") return <CodeBlock key={i} language={b.language} code={b.code} />;
        if (b.kind === "h")
          return (
            <div key={i} className={`cv-md-h h${b.level}`}>
              {inline(b.text)}
            </div>
          );
        if (b.kind === "ul")
          return (
            <ul key={i}>
              {b.items.map((t, j) => (
                <li key={j}>{inline(t)}</li>
              ))}
            </ul>
          );
        if (b.kind === "ol")
          return (
            <ol key={i}>
              {b.items.map((t, j) => (
                <li key={j}>{inline(t)}</li>
              ))}
            </ol>
          );
        if (b.kind === "p") return <p key={i}>{inline(b.text)}</p>;
        return null;
      })}
    </div>
  );
}

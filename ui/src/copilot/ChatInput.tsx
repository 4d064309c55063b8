// The bottom of the panel: one-click questions about the current errors and failed nodes, and the
// message box (Enter sends, Shift+Enter is a new line).
import { useState } from "react";

export function QuickQuestions({
  errorCount,
  failedNodes,
  busy,
  send,
}: {
  errorCount: number;
  failedNodes: string[];
  busy: boolean;
  send: (text: string) => void;
}) {
  if (errorCount === 0 && failedNodes.length === 0) return null;
  return (
    <div className="cv-cp-quick">
      {errorCount > 0 && (
        <button
          className="cv-btn small"
          disabled={busy}
          data-testid="copilot-explain-errors"
          onClick={() => send("explain errors")}
        >
          Explain {errorCount} error(s)
        </button>
      )}
      {failedNodes.slice(0, 3).map((id) => (
        <button
          key={id}
          className="cv-btn small"
          disabled={busy}
          data-testid={`copilot-explain-${id}`}
          onClick={() => send(`why did ${id} fail?`)}
        >
          Why did {id} fail?
        </button>
      ))}
    </div>
  );
}

export function ChatInput({
  busy,
  placeholder,
  send,
}: {
  busy: boolean;
  placeholder: string;
  send: (text: string) => void;
}) {
  const [input, setInput] = useState("");
  const submit = () => {
    if (busy || !input.trim()) return;
    send(input);
    setInput("");
  };
  return (
    <form
      className="cv-cp-input"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <textarea
        className="cv-textarea"
        data-testid="copilot-input"
        value={input}
        placeholder={placeholder}
        onChange={(e) => setInput(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey) {
            e.preventDefault();
            submit();
          }
        }}
      />
      <button
        type="submit"
        className="cv-btn primary"
        disabled={busy || !input.trim()}
        data-testid="copilot-send"
      >
        Send
      </button>
    </form>
  );
}

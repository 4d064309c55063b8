// "Insert chain…": search the chain library, pick a version, insert it into the open workflow as a
// group pinned to that version (the server prefixes the ids so they are unique here).
import { useEffect, useState } from "react";
import { Modal } from "../ui/Modal";
import { ChainsApi, type ChainSummary } from "./api";

export function InsertChainDialog({
  onClose,
  onInsert,
}: {
  onClose: () => void;
  onInsert: (ref: { name: string; version: string }) => Promise<void>;
}) {
  const [q, setQ] = useState("");
  const [items, setItems] = useState<ChainSummary[] | null>(null);
  const [picked, setPicked] = useState<string | null>(null);
  const [version, setVersion] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const t = setTimeout(() => {
      ChainsApi.list(q)
        .then(setItems)
        .catch((e: Error) => setError(e.message));
    }, 150);
    return () => clearTimeout(t);
  }, [q]);
  const chain = items?.find((c) => c.name === picked) ?? null;

  return (
    <Modal title="Insert chain" onClose={onClose} testId="insert-chain-dialog">
      <input
        className="cv-input"
        placeholder="Search chains by name or description"
        data-testid="chain-search"
        value={q}
        onChange={(e) => setQ(e.target.value)}
        autoFocus
      />
      <div className="cv-chain-list" data-testid="chain-list">
        {items === null && <span className="cv-help">Loading…</span>}
        {items?.length === 0 && (
          <span className="cv-help">No chains yet: save a group as a chain first.</span>
        )}
        {items?.map((c) => (
          <button
            key={c.name}
            className={`cv-chain-item ${picked === c.name ? "active" : ""}`}
            data-testid={`chain-item-${c.name}`}
            onClick={() => {
              setPicked(c.name);
              setVersion(c.latest);
            }}
          >
            <strong>{c.name}</strong> <span className="cv-badge">{c.latest}</span>
            <span className="cv-help">
              {" "}
              {c.description} · {c.nodes} node{c.nodes === 1 ? "" : "s"} · in:{" "}
              {(c.interface.inputs ?? []).map((p) => p.name).join(", ") || "—"} · out:{" "}
              {(c.interface.outputs ?? []).map((p) => p.name).join(", ") || "—"}
            </span>
          </button>
        ))}
      </div>
      {chain && (
        <div className="cv-field">
          <label>Version</label>
          <select
            className="cv-select"
            data-testid="chain-insert-version"
            value={version}
            onChange={(e) => setVersion(e.target.value)}
          >
            {[...chain.versions].reverse().map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </div>
      )}
      {error && <div className="cv-alert">{error}</div>}
      <div className="cv-actions">
        <button className="cv-btn" onClick={onClose}>
          Cancel
        </button>
        <button
          className="cv-btn primary"
          data-testid="chain-insert"
          disabled={!chain || busy}
          onClick={async () => {
            if (!chain) return;
            setBusy(true);
            try {
              await onInsert({ name: chain.name, version });
            } catch (e) {
              setError((e as Error).message);
              setBusy(false);
            }
          }}
        >
          Insert
        </button>
      </div>
    </Modal>
  );
}

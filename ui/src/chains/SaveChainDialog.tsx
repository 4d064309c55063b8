// "Save as chain": name, version (suggested from the library: the bump the interface change needs),
// description, changelog, and the interface derived from the boundary edges (rename or drop a field).
import { useEffect, useState } from "react";
import { ApiError } from "../api/client";
import type { Workflow } from "../spec/types";
import { slugify } from "../state/ops";
import { Modal } from "../ui/Modal";
import { ChainsApi, type ChainInterface, type ChainPreview, type ChainSource } from "./api";

type Side = "inputs" | "outputs";

export function SaveChainDialog({
  wf,
  from,
  defaultName,
  onClose,
  onSaved,
}: {
  wf: Workflow;
  from: ChainSource;
  defaultName: string;
  onClose: () => void;
  onSaved: (ref: string) => void;
}) {
  const [name, setName] = useState(
    slugify(defaultName)
      .replace(/-/g, "_")
      .replace(/^[^a-z]+/, "") || "chain",
  );
  const [version, setVersion] = useState("1.0.0");
  const [description, setDescription] = useState("");
  const [changelog, setChangelog] = useState("");
  const [preview, setPreview] = useState<ChainPreview | null>(null);
  const [iface, setIface] = useState<ChainInterface | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!/^[a-z][a-z0-9_]*$/.test(name)) return;
    const t = setTimeout(() => {
      ChainsApi.preview(wf, from, name)
        .then((p) => {
          setPreview(p);
          setIface(p.interface);
          setVersion(p.suggested_version);
          setError(null);
        })
        .catch((e: Error) => setError(e.message));
    }, 250);
    return () => clearTimeout(t);
  }, [wf, from, name]);

  const rename = (side: Side, i: number, value: string) =>
    iface &&
    setIface({ ...iface, [side]: (iface[side] ?? []).map((p, k) => (k === i ? { ...p, name: value } : p)) });
  const drop = (side: Side, i: number) =>
    iface && setIface({ ...iface, [side]: (iface[side] ?? []).filter((_, k) => k !== i) });

  const publish = async () => {
    if (!iface) return;
    setBusy(true);
    setError(null);
    try {
      const r = await ChainsApi.publish(wf, from, { name, version, description, changelog, iface });
      onSaved(r.ref);
    } catch (e) {
      const body = e instanceof ApiError ? e.body : {};
      if (typeof body.suggested_version === "string") setVersion(body.suggested_version);
      setError((e as Error).message);
      setBusy(false);
    }
  };

  const side = (s: Side) => (
    <div className="cv-field" data-testid={`chain-${s}`}>
      <label>{s === "inputs" ? "Inputs (fed from outside)" : "Outputs (read outside)"}</label>
      {(iface?.[s] ?? []).length === 0 && <span className="cv-help">none</span>}
      {(iface?.[s] ?? []).map((p, i) => (
        <div className="cv-row" key={`${p.node}:${p.field}`} data-testid={`chain-port-${p.name}`}>
          <input
            className="cv-input"
            value={p.name}
            onChange={(e) => rename(s, i, e.target.value)}
            style={{ width: 140 }}
          />
          <span className="cv-help">
            {p.node}
            {p.field ? `.${p.field}` : ""} · {String((p.json_schema as { type?: unknown }).type ?? "any")}
          </span>
          <button className="cv-btn" title="Leave out of the interface" onClick={() => drop(s, i)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );

  return (
    <Modal title="Save as chain" onClose={onClose} testId="save-chain-dialog">
      <div className="cv-field">
        <label>Chain name (letters, digits, _)</label>
        <input
          className="cv-input"
          data-testid="chain-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          autoFocus
        />
      </div>
      <div className="cv-field">
        <label>Version</label>
        <input
          className="cv-input"
          data-testid="chain-version"
          value={version}
          onChange={(e) => setVersion(e.target.value)}
        />
        {preview?.latest && (
          <span className="cv-help" data-testid="chain-bump">
            Latest is {preview.latest}
            {preview.required_bump
              ? `; this change needs a ${preview.required_bump} bump`
              : "; nothing changed"}
            {preview.changes.length > 0 && `: ${preview.changes.map((c) => c.message).join("; ")}`}
          </span>
        )}
      </div>
      <div className="cv-field">
        <label>Description</label>
        <input
          className="cv-input"
          data-testid="chain-description"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </div>
      {preview?.latest && (
        <div className="cv-field">
          <label>Changelog</label>
          <input className="cv-input" value={changelog} onChange={(e) => setChangelog(e.target.value)} />
        </div>
      )}
      {preview && (
        <p className="cv-help">
          {preview.fragment.nodes.length} node{preview.fragment.nodes.length === 1 ? "" : "s"},{" "}
          {preview.fragment.edges.length} inner edge{preview.fragment.edges.length === 1 ? "" : "s"}
          {preview.fragment.tools.length > 0 &&
            `, tools ${preview.fragment.tools.map((t) => t.name).join(", ")}`}
        </p>
      )}
      {side("inputs")}
      {side("outputs")}
      {error && (
        <div className="cv-alert" data-testid="chain-error">
          {error}
        </div>
      )}
      <div className="cv-actions">
        <button className="cv-btn" onClick={onClose}>
          Cancel
        </button>
        <button
          className="cv-btn primary"
          data-testid="chain-publish"
          disabled={busy || !iface}
          onClick={() => void publish()}
        >
          Publish {name}@{version}
        </button>
      </div>
    </Modal>
  );
}

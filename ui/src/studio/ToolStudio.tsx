// The tool studio, a page of the Canvas: every tool with its versions (published, draft,
// deprecated) and the workflows that use each version; the editor of the version opened; new
// tools, new versions, deprecation. Loaded lazily (React.lazy in App.tsx): the code editor is big.
import { useCallback, useEffect, useMemo, useState } from "react";
import { ApiError, type Me } from "../api/client";
import { markdownToPlain } from "../ui/Markdown";
import { StudioApi, type ToolSummary, type ToolUsage, type ToolVersion } from "./api";
import { compareVersions, newTool, nextPatch } from "./model";
import { ToolEditor, type EditorTarget } from "./ToolEditor";

function VersionBadge({ v }: { v: ToolVersion }) {
  if (v.deprecated) return <span className="cv-badge state-skipped">deprecated</span>;
  if (v.builtin) return <span className="cv-badge">built-in</span>;
  return v.published ? (
    <span className="cv-badge state-success">published</span>
  ) : (
    <span className="cv-badge state-queued">draft</span>
  );
}

export default function ToolStudio({
  me,
  initial,
  onOpenWorkflow,
  onBack,
  onSelect,
}: {
  me: Me | null | undefined;
  initial: { name: string; version: string | null } | null;
  onOpenWorkflow: (id: string) => void;
  onBack: () => void;
  /** The tool (and version) shown, for the page's URL. */
  onSelect: (name: string | null, version: string | null) => void;
}) {
  // Until /me answers nothing editable shows; without /me the server still enforces every action.
  const perms = me === undefined ? [] : (me?.permissions?.tools ?? ["read", "edit"]);
  const canEdit = perms.includes("edit");
  const [search, setSearch] = useState("");
  const [tools, setTools] = useState<ToolSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(initial?.name ?? null);
  const [versions, setVersions] = useState<ToolVersion[]>([]);
  const [usage, setUsage] = useState<ToolUsage | null>(null);
  const [target, setTarget] = useState<EditorTarget | null>(null);
  // A new editor (fresh state) only when the user opens something; saving keeps the one shown.
  const [editorKey, setEditorKey] = useState(0);
  const show = (t: EditorTarget) => {
    setTarget(t);
    setEditorKey((k) => k + 1);
  };

  const loadList = useCallback(() => {
    StudioApi.list()
      .then((items) => {
        setTools(items);
        setError(null);
      })
      .catch((e: Error) => setError(e.message));
  }, []);
  useEffect(loadList, [loadList]);

  /** The versions and usage of ``name`` (the editor is left as it is). */
  const refresh = useCallback(async (name: string) => {
    const vs = await StudioApi.versions(name);
    setVersions(vs);
    setSelected(name);
    StudioApi.usage(name)
      .then(setUsage)
      .catch(() => setUsage(null));
    return vs;
  }, []);

  const openVersion = useCallback(
    async (name: string, version: string | null) => {
      try {
        const vs = await refresh(name);
        const sorted = [...vs].sort((a, b) => compareVersions(a.version, b.version));
        const pick =
          vs.find((v) => v.version === version) ??
          [...sorted].reverse().find((v) => v.published && !v.deprecated) ??
          sorted[sorted.length - 1];
        if (!pick) return;
        const rec = await StudioApi.version(name, pick.version);
        setTarget({ tool: rec.spec, isNew: false, published: rec.published || rec.builtin });
        setEditorKey((k) => k + 1);
        onSelect(name, pick.version);
        setError(null);
      } catch (e) {
        setError((e as ApiError).detail ?? (e as Error).message);
      }
    },
    [onSelect, refresh],
  );

  useEffect(() => {
    if (initial) void openVersion(initial.name, initial.version);
    // Only the page's first target: later selections go through openVersion.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    return q ? tools.filter((t) => t.name.includes(q) || t.description.toLowerCase().includes(q)) : tools;
  }, [tools, search]);

  const usesOf = (version: string) => usage?.items.filter((u) => u.version === version) ?? [];
  const unresolved = usage?.items.filter((u) => u.version === null) ?? [];

  const deprecate = async (v: ToolVersion, deprecated: boolean) => {
    try {
      await StudioApi.deprecate(v.name, v.version, deprecated);
      await refresh(v.name);
      loadList();
    } catch (e) {
      setError((e as ApiError).detail ?? (e as Error).message);
    }
  };

  return (
    <div
      className="cv-list"
      data-testid="tool-studio"
      style={{ display: "flex", flexDirection: "column", height: "100%", overflow: "hidden" }}
    >
      <div className="cv-row" style={{ marginBottom: 12, gap: 8 }}>
        <button className="cv-btn small" data-testid="studio-back" onClick={onBack}>
          ← Workflows
        </button>
        <h2 style={{ margin: 0, fontSize: 18 }}>Tool studio</h2>
        <span className="cv-badge">{tools.length}</span>
        <span style={{ flex: 1 }} />
        <input
          className="cv-input"
          style={{ width: 240 }}
          placeholder="Search tools"
          data-testid="tool-search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        {canEdit && (
          <button
            className="cv-btn primary"
            data-testid="new-tool"
            onClick={() => {
              setSelected(null);
              setVersions([]);
              setUsage(null);
              show({ tool: newTool(), isNew: true, published: false });
              onSelect(null, null);
            }}
          >
            New tool
          </button>
        )}
      </div>
      {error && (
        <div className="cv-alert" data-testid="studio-error">
          {error}
        </div>
      )}
      <div style={{ display: "flex", gap: 16, flex: 1, minHeight: 0 }}>
        <div style={{ width: 260, overflowY: "auto", flexShrink: 0 }} data-testid="tool-list">
          {shown.map((t) => (
            <button
              key={t.name}
              className={`cv-link ${selected === t.name ? "active" : ""}`}
              style={{
                display: "block",
                width: "100%",
                textAlign: "left",
                padding: "6px 4px",
                fontWeight: selected === t.name ? 700 : 400,
              }}
              data-testid={`tool-item-${t.name}`}
              onClick={() => void openVersion(t.name, null)}
            >
              {t.name} <span className="cv-help">{t.latest}</span>
              {t.builtin && (
                <span className="cv-badge" style={{ marginLeft: 4 }}>
                  built-in
                </span>
              )}
              {t.deprecated && (
                <span className="cv-badge state-skipped" style={{ marginLeft: 4 }}>
                  deprecated
                </span>
              )}
              <div className="cv-help" style={{ fontWeight: 400 }}>
                {markdownToPlain(t.description)}
              </div>
            </button>
          ))}
          {shown.length === 0 && (
            <div className="cv-help">No tools{search ? ` match "${search}"` : " yet"}.</div>
          )}
        </div>
        <div style={{ flex: 1, overflowY: "auto", minWidth: 0, paddingRight: 8 }}>
          {selected && versions.length > 0 && (
            <div data-testid="tool-versions" style={{ marginBottom: 12 }}>
              <table className="cv-table">
                <thead>
                  <tr>
                    <th>Version</th>
                    <th>Status</th>
                    <th>Changelog</th>
                    <th>Used by</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {[...versions]
                    .sort((a, b) => compareVersions(b.version, a.version))
                    .map((v) => (
                      <tr
                        key={v.version}
                        data-testid={`version-row-${v.version}`}
                        style={
                          target?.tool.version === v.version && !target.isNew
                            ? { fontWeight: 600 }
                            : undefined
                        }
                      >
                        <td>
                          <button
                            className="cv-link"
                            data-testid={`open-version-${v.version}`}
                            onClick={() => void openVersion(v.name, v.version)}
                          >
                            {v.version}
                          </button>
                        </td>
                        <td>
                          <VersionBadge v={v} />
                        </td>
                        <td className="cv-help">{v.changelog}</td>
                        <td data-testid={`usage-${v.version}`}>
                          {usesOf(v.version).map((u) => (
                            <button
                              key={`${u.workflow_id}/${u.branch}/${u.node_id}`}
                              className="cv-link"
                              style={{ marginRight: 6 }}
                              title={`${u.ref} in node ${u.node_id} (${u.branch})`}
                              onClick={() => onOpenWorkflow(u.workflow_id)}
                            >
                              {u.workflow_name}
                              {u.branch !== "main" ? ` (${u.branch})` : ""}
                            </button>
                          ))}
                          {usage && !usage.visible && <span className="cv-help">—</span>}
                        </td>
                        <td style={{ whiteSpace: "nowrap" }}>
                          {canEdit && v.published && !v.builtin && (
                            <button
                              className="cv-btn small"
                              data-testid={`deprecate-${v.version}`}
                              onClick={() => void deprecate(v, !v.deprecated)}
                            >
                              {v.deprecated ? "Undeprecate" : "Deprecate"}
                            </button>
                          )}
                        </td>
                      </tr>
                    ))}
                </tbody>
              </table>
              {usage && !usage.visible && (
                <div className="cv-help">
                  You may not read workflows, so the ones using this tool are not shown.
                </div>
              )}
              {unresolved.length > 0 && (
                <div className="cv-hint">
                  References that match no version:{" "}
                  {unresolved.map((u) => `${u.workflow_name}: ${u.ref}`).join(", ")}
                </div>
              )}
            </div>
          )}
          {target ? (
            <ToolEditor
              key={editorKey}
              target={target}
              canEdit={canEdit}
              onSaved={(name, version, published) => {
                loadList();
                if (published) {
                  void openVersion(name, version);
                  return;
                }
                // A saved draft: the same editor goes on (its test results stay); the name is fixed now.
                setTarget((t) => (t && t.isNew ? { ...t, isNew: false } : t));
                onSelect(name, version);
                refresh(name).catch((e: Error) => setError(e.message));
              }}
              onNewVersion={() =>
                show({
                  tool: { ...target.tool, version: nextPatch(versions.map((v) => v.version)), changelog: "" },
                  isNew: false,
                  published: false,
                })
              }
            />
          ) : (
            <div className="cv-help">Choose a tool{canEdit ? ", or create one" : ""}.</div>
          )}
        </div>
      </div>
    </div>
  );
}

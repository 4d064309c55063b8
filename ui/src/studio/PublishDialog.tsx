// Publish a version: the studio asks the server what the changes since the latest published version
// need (breaking input/output schema changes: a major bump) and suggests that version; the server
// checks the chosen one again, runs the tests and refuses a too-small bump, shown here as it says it.
import { useEffect, useState } from "react";
import { ApiError } from "../api/client";
import { Modal } from "../ui/Modal";
import { StudioApi, type PublishPreview, type Tool } from "./api";
import { parseVersion } from "./model";

export function PublishDialog({
  tool,
  onClose,
  onPublished,
}: {
  tool: Tool;
  onClose: () => void;
  onPublished: (version: string) => void;
}) {
  const [preview, setPreview] = useState<PublishPreview | null>(null);
  const [version, setVersion] = useState("");
  const [changelog, setChangelog] = useState(tool.changelog ?? "");
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);

  useEffect(() => {
    StudioApi.check(tool)
      .then((c) => {
        setPreview(c.publish);
        if (c.publish) setVersion(c.publish.suggested_version);
        if (!c.ok)
          setRefusal(
            "Fix the errors in the editor first: " +
              c.diagnostics
                .filter((d) => d.severity === "error")
                .map((d) => d.message)
                .join("; "),
          );
      })
      .catch((e: Error) => setRefusal(e.message));
  }, [tool]);

  const publish = async () => {
    setBusy(true);
    setRefusal(null);
    try {
      // The chosen version becomes a draft with this body (replacing an unpublished one), then is published.
      await StudioApi.save({ ...tool, version });
      await StudioApi.publish(tool.name, version, changelog);
      onPublished(version);
    } catch (e) {
      const err = e as ApiError;
      setRefusal(err.detail ?? err.message);
    } finally {
      setBusy(false);
    }
  };

  const valid = parseVersion(version) !== null;
  return (
    <Modal title={`Publish ${tool.name}`} onClose={onClose} testId="publish-dialog">
      {!preview && !refusal && <div className="cv-help">Comparing with the published versions…</div>}
      {preview && (
        <div data-testid="publish-preview" data-required-bump={preview.required_bump ?? ""}>
          {preview.previous ? (
            <p>
              Latest published: <b>{preview.previous}</b>.{" "}
              {preview.required_bump ? (
                <>
                  These changes need a <b data-testid="required-bump">{preview.required_bump}</b> bump.
                </>
              ) : (
                "Nothing changed since then."
              )}
            </p>
          ) : (
            <p>This is the first published version of {tool.name}.</p>
          )}
          {preview.changes.length > 0 && (
            <ul data-testid="publish-changes" style={{ margin: "4px 0 8px", paddingLeft: 18 }}>
              {preview.changes.map((c, i) => (
                <li key={i}>
                  <span
                    className={`cv-badge ${c.bump === "major" ? "state-failed" : c.bump === "minor" ? "state-queued" : ""}`}
                  >
                    {c.bump}
                  </span>{" "}
                  {c.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="cv-field">
        <label>Version</label>
        <input
          className={`cv-input ${valid ? "" : "invalid"}`}
          value={version}
          data-testid="publish-version"
          onChange={(e) => setVersion(e.target.value.trim())}
        />
        {preview && <div className="cv-help">Suggested: {preview.suggested_version}</div>}
      </div>
      <div className="cv-field">
        <label>Changelog</label>
        <textarea
          className="cv-textarea"
          rows={3}
          value={changelog}
          placeholder="What this version changes"
          data-testid="publish-changelog"
          onChange={(e) => setChangelog(e.target.value)}
        />
      </div>
      {refusal && (
        <div className="cv-alert" data-testid="publish-refused" style={{ whiteSpace: "pre-wrap" }}>
          {refusal}
        </div>
      )}
      <div className="cv-actions">
        <button className="cv-btn" onClick={onClose}>
          Cancel
        </button>
        <button
          className="cv-btn primary"
          data-testid="publish-confirm"
          disabled={busy || !valid}
          onClick={() => void publish()}
        >
          {busy ? "Running tests…" : `Publish ${version}`}
        </button>
      </div>
    </Modal>
  );
}

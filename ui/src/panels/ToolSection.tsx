// The panel of a tool node: which tool and version (a picker of the versions the store holds), the
// tool's description and the shape of its input and output, and a form for the node's parameters
// generated from the tool's input schema (a parameter is a fixed argument; inputs override it).
// A tool node can instead run an Airflow operator: "Runs" switches between the two.
import { useEffect, useState } from "react";
import {
  exactVersion,
  schemaSummary,
  toolParamsSchema,
  toolVersion,
  toolVersions,
  type ToolSpec,
  type ToolVersionInfo,
} from "../editor/catalogue";
import type { Problem, SpecNode, Workflow } from "../spec/types";
import { errorsUnder } from "../state/problems";
import { studioUrl } from "../studio/links";
import { ParamsEditor } from "./ParamsEditor";

/** Versions newest first (numeric x.y.z order). */
export function byVersionDesc(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pb[i] ?? 0) - (pa[i] ?? 0);
  return 0;
}

function useTool(wf: Workflow, ref: string) {
  const name = ref.split("@")[0];
  const exact = exactVersion(ref);
  const inline = wf.tools?.filter((t) => t.name === name) ?? [];
  const [stored, setStored] = useState<{
    ref: string;
    versions: ToolVersionInfo[];
    spec: ToolSpec | null;
  } | null>(null);
  useEffect(() => {
    if (!name || inline.length) return;
    let live = true;
    toolVersions(name)
      .then(async (versions) => {
        const pick =
          exact ??
          [...versions]
            .filter((v) => v.published && !v.deprecated)
            .map((v) => v.version)
            .sort(byVersionDesc)[0];
        const spec = pick ? (await toolVersion(name, pick)).spec : null;
        if (live) setStored({ ref, versions, spec });
      })
      .catch(() => live && setStored({ ref, versions: [], spec: null }));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- inline tools are read from the spec, not fetched
  }, [ref]);
  if (inline.length) {
    const spec = (inline.find((t) => t.version === exact) ?? inline[inline.length - 1]) as ToolSpec;
    const versions = inline.map(
      (t) =>
        ({
          name,
          version: t.version,
          published: true,
          deprecated: false,
          builtin: false,
          created_by: "",
          created_at: null,
        }) as ToolVersionInfo,
    );
    return { versions, spec, inline: true, loading: false };
  }
  const mine = stored && stored.ref === ref ? stored : null;
  return {
    versions: mine?.versions ?? [],
    spec: mine?.spec ?? null,
    inline: false,
    loading: !mine && !!name,
  };
}

export function ToolSection({
  wf,
  node,
  fields,
  readOnly,
  toolRefs,
  set,
}: {
  wf: Workflow;
  node: SpecNode;
  fields: Record<string, Problem>;
  readOnly: boolean;
  toolRefs: string[];
  set: (patch: Partial<SpecNode>, key: string) => void;
}) {
  const ref = node.tool ?? "";
  const name = ref.split("@")[0];
  const current = ref.split("@")[1] ?? "";
  const tool = useTool(wf, ref);
  const params = errorsUnder(fields, "parameters");
  const versions = [...tool.versions].sort((a, b) => byVersionDesc(a.version, b.version));
  const listed = versions.some((v) => v.version === current);
  return (
    <div className="cv-section" data-testid="tool-section">
      <h3>Tool</h3>
      <div className="cv-field">
        <label>Tool (name@version)</label>
        <input
          className={`cv-input ${fields.tool ? "invalid" : ""}`}
          data-testid="prop-tool"
          list="cv-tool-refs"
          value={ref}
          readOnly={readOnly}
          onChange={(e) => set({ tool: e.target.value || null }, "tool")}
        />
        <datalist id="cv-tool-refs">
          {toolRefs.map((r) => (
            <option key={r} value={r} />
          ))}
        </datalist>
        {fields.tool && (
          <span className="cv-error" data-testid="prop-tool-error">
            {fields.tool.message}
          </span>
        )}
        {fields.tool?.hint && <span className="cv-hint">{fields.tool.hint}</span>}
      </div>
      {name && versions.length > 0 && (
        <div className="cv-field">
          <label>Version</label>
          <select
            className="cv-select"
            data-testid="prop-tool-version"
            value={current}
            disabled={readOnly}
            onChange={(e) => set({ tool: `${name}@${e.target.value}` }, "tool")}
          >
            {!listed && <option value={current}>{current || "(choose)"}</option>}
            {versions.map((v) => (
              <option key={v.version} value={v.version} disabled={!v.published && !tool.inline}>
                {v.version}
                {v.builtin ? " (built-in)" : ""}
                {!v.published ? " (draft)" : ""}
                {v.deprecated ? " (deprecated)" : ""}
              </option>
            ))}
          </select>
          <span className="cv-help">
            A range such as ^{versions[0].version.split(".")[0]} takes the newest compatible version at
            deploy; type it in the field above.
          </span>
        </div>
      )}
      {tool.spec && (
        <div className="cv-field" data-testid="tool-info">
          {tool.spec.description && (
            <p className="cv-help" data-testid="tool-description" style={{ whiteSpace: "pre-wrap" }}>
              {tool.spec.description}
            </p>
          )}
          <span className="cv-help" data-testid="tool-input-summary">
            Input: {schemaSummary(tool.spec.input_schema as Record<string, unknown>)}
          </span>
          <span className="cv-help" data-testid="tool-output-summary">
            Output: {schemaSummary(tool.spec.output_schema as Record<string, unknown>)}
          </span>
          {!tool.inline && (
            <a
              className="cv-link"
              href={studioUrl(name, tool.spec.version)}
              target="_blank"
              rel="noreferrer"
              data-testid="open-in-studio"
            >
              Open in tool studio
            </a>
          )}
        </div>
      )}
      <h3 style={{ marginTop: 10 }}>Parameters</h3>
      <ParamsEditor
        schema={tool.spec ? toolParamsSchema(tool.spec) : null}
        value={node.parameters ?? {}}
        readOnly={readOnly}
        testId="prop-params"
        {...params}
        error={fields.parameters?.message}
        onChange={(v, k) => set({ parameters: v }, `parameters.${k}`)}
      />
    </div>
  );
}

// The editor's chain and template actions in one place: keeps each inserted group's update status
// fresh, and opens the dialog a request asks for (store.ts: from the toolbar, the context menu or the
// group panel). Inserting and updating only change the open document: saving it is the normal save,
// with its validation and its Canvas Code check.
import { useReactFlow } from "@xyflow/react";
import { useEffect, useMemo, useState } from "react";
import { ApiError } from "../api/client";
import type { Workflow } from "../spec/types";
import { ChainsApi, type ChainSource } from "./api";
import { InsertChainDialog } from "./InsertChainDialog";
import { SaveChainDialog } from "./SaveChainDialog";
import { SaveTemplateDialog } from "./SaveTemplateDialog";
import { clearChainRequest, setChainStatuses, useChainRequest } from "./store";
import { ensureChainStyles } from "./styles";

export function ChainDialogs({
  wf,
  selectedNodes,
  readOnly,
  change,
  flash,
  selectGroup,
}: {
  wf: Workflow;
  selectedNodes: string[];
  readOnly: boolean;
  change: (next: Workflow) => void;
  flash: (text: string, ms?: number) => void;
  selectGroup: (id: string) => void;
}) {
  const request = useChainRequest();
  const rf = useReactFlow();
  useEffect(ensureChainStyles, []);
  const [saveFrom, setSaveFrom] = useState<ChainSource | null>(null);

  // Pins only change when groups do: ask the library again then (and after a publish).
  const [published, setPublished] = useState(0);
  const pins = useMemo(
    () =>
      wf.groups
        .filter((g) => g.chain)
        .map((g) => `${g.id}=${g.chain}`)
        .join(","),
    [wf.groups],
  );
  useEffect(() => {
    if (!pins) {
      setChainStatuses([]);
      return;
    }
    const t = setTimeout(() => {
      ChainsApi.status(wf)
        .then(setChainStatuses)
        .catch(() => undefined);
    }, 300);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the pins decide; the rest of wf does not
  }, [pins, published]);

  useEffect(() => {
    if (!request) return;
    if (request.kind === "save-chain") {
      const from = request.from === "selection" ? { nodeIds: selectedNodes } : request.from;
      if ("nodeIds" in from && from.nodeIds.length === 0) flash("Select the nodes to save as a chain first.");
      else setSaveFrom(from);
    } else if (request.kind === "update-chain") {
      void update(request.groupId);
    }
    if (request.kind === "save-chain" || request.kind === "update-chain") clearChainRequest();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- each request is handled once
  }, [request]);

  const update = async (groupId: string) => {
    if (readOnly) return;
    try {
      let r;
      try {
        r = await ChainsApi.update(wf, groupId, null, false);
      } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 409 || !e.body.major) throw e;
        if (!window.confirm(`${e.detail}\n\nUpdate group ${groupId} anyway?`)) return;
        r = await ChainsApi.update(wf, groupId, String(e.body.to_version), true);
      }
      change(r.spec);
      const dropped = r.dropped_edges.map((d) => `${d.edge} (${d.reason})`).join("; ");
      flash(
        `Group ${groupId} updated to ${r.to_version}` + (dropped ? `; removed connections: ${dropped}` : "."),
        dropped ? 8000 : 3000,
      );
    } catch (e) {
      flash(`Could not update ${groupId}: ${(e as Error).message}`, 6000);
    }
  };

  const groupLabel = (from: ChainSource) => {
    if ("groupId" in from) {
      const g = wf.groups.find((x) => x.id === from.groupId);
      return g?.label || g?.id || "chain";
    }
    return wf.name || "chain";
  };

  return (
    <>
      {saveFrom && (
        <SaveChainDialog
          wf={wf}
          from={saveFrom}
          defaultName={groupLabel(saveFrom)}
          onClose={() => setSaveFrom(null)}
          onSaved={(ref) => {
            setSaveFrom(null);
            setPublished((n) => n + 1);
            flash(`Published ${ref} to the chain library.`);
          }}
        />
      )}
      {request?.kind === "insert-chain" && (
        <InsertChainDialog
          onClose={clearChainRequest}
          onInsert={async (ref) => {
            // Where the user is looking: the chain's top-left a little left of the pane's centre.
            const pane = document.querySelector(".react-flow__pane")?.getBoundingClientRect();
            const at = pane
              ? rf.screenToFlowPosition({
                  x: pane.left + pane.width * 0.35,
                  y: pane.top + pane.height * 0.35,
                })
              : undefined;
            const r = await ChainsApi.insert(wf, ref, at);
            change(r.spec);
            clearChainRequest();
            selectGroup(r.group_id);
            const errors = r.problems.filter((p) => p.severity !== "warning").length;
            flash(
              `Inserted ${ref.name}@${ref.version} as group ${r.group_id}` +
                (errors ? ` (${errors} problem${errors === 1 ? "" : "s"} to fix before saving)` : "."),
            );
          }}
        />
      )}
      {request?.kind === "save-template" && (
        <SaveTemplateDialog
          wf={wf}
          onClose={clearChainRequest}
          onSaved={(name) => {
            clearChainRequest();
            flash(`Saved template ${name}: it is offered under New workflow › From template.`);
          }}
        />
      )}
    </>
  );
}

// On an inserted group's frame: its pinned chain version, and "update available" when the library
// has a newer version (a compatible one, or a major one that will ask before it replaces).
import { requestChain, useChainStatus } from "./store";

export function ChainBadge({ groupId, pin, readOnly }: { groupId: string; pin: string; readOnly: boolean }) {
  const status = useChainStatus(groupId);
  const update = status?.update;
  const target = update === "compatible" ? status?.latest_compatible : status?.latest;
  return (
    <span className="cv-chain-badge" data-testid={`chain-badge-${groupId}`} title={status?.message ?? pin}>
      {pin}
      {(update === "compatible" || update === "major") && (
        <button
          className={`cv-chain-update nodrag ${update}`}
          data-testid={`chain-update-${groupId}`}
          disabled={readOnly}
          onClick={(e) => {
            e.stopPropagation();
            requestChain({ kind: "update-chain", groupId });
          }}
        >
          update available{target ? `: ${target}` : ""}
          {update === "major" ? " (major)" : ""}
        </button>
      )}
      {update === "unknown" && <span className="cv-chain-unknown"> not in library</span>}
    </span>
  );
}

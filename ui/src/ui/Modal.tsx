import type { ReactNode } from "react";

export function Modal({
  title,
  children,
  onClose,
  testId,
}: {
  title: string;
  children: ReactNode;
  onClose: () => void;
  testId?: string;
}) {
  return (
    <div className="cv-modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="cv-modal"
        role="dialog"
        aria-label={title}
        data-testid={testId}
        onKeyDown={(e) => e.key === "Escape" && onClose()}
      >
        <h2>{title}</h2>
        {children}
      </div>
    </div>
  );
}

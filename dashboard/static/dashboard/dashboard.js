// A panel whose fragment fails (network, server) says so instead of "Loading…" forever.
document.addEventListener("htmx:responseError", showPanelError);
document.addEventListener("htmx:sendError", showPanelError);

function showPanelError(event) {
  const panel = event.target.closest(".dashboard-panel");
  const grid = event.target.closest("[data-panel-error]");
  if (!panel || !grid) return;
  const note = document.createElement("p");
  note.className = "text-danger small mb-0";
  note.setAttribute("role", "alert");
  note.dataset.testid = "panel-error";
  note.textContent = grid.dataset.panelError;
  panel.replaceChildren(note);
}

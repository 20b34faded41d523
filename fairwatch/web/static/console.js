// Outline the highlighted clause of the finding the reader points at.
document.addEventListener("DOMContentLoaded", () => {
  for (const link of document.querySelectorAll(".finding a.to-clause")) {
    const clause = document.getElementById(link.getAttribute("href").slice(1));
    const finding = link.closest(".finding");
    if (!clause || !finding) continue;
    finding.addEventListener("mouseenter", () => clause.classList.add("focus"));
    finding.addEventListener("mouseleave", () => clause.classList.remove("focus"));
  }
});

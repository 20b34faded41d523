// Outline the highlighted clause of the finding the reader points at.
document.addEventListener("DOMContentLoaded", () => {
  for (const finding of document.querySelectorAll(".finding")) {
    const clause = document.getElementById("clause-" + finding.id.replace("finding-", ""));
    if (!clause) continue;
    finding.addEventListener("mouseenter", () => clause.classList.add("focus"));
    finding.addEventListener("mouseleave", () => clause.classList.remove("focus"));
  }
});

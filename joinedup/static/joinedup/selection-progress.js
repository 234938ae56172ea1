// Progressive enhancement of a selection still being worked out: ask the server every few
// seconds, and say in the page's status message (read out by screen readers) when the
// results are ready. The page never reloads by itself; without this script the
// "Check progress" link does the same by hand.
const box = document.querySelector("[data-progress-url]");

if (box) {
  const status = box.querySelector("[role=status]");
  const hint = box.querySelector("[data-progress-hint]");
  const link = box.querySelector("[data-progress-link]");
  const every = 3000;
  hint.textContent = "This page checks every few seconds and will tell you when the results are ready.";

  const check = async () => {
    try {
      const answer = await fetch(box.dataset.progressUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const run = answer.ok ? await answer.json() : null;
      if (run && run.status !== "running") {
        status.textContent = run.message;
        link.textContent = run.link;
        hint.textContent = "";
        return;
      }
    } catch {
      // Signed out, or the network is down for a moment: try again.
    }
    setTimeout(check, every);
  };
  setTimeout(check, every);
}

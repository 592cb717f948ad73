// Draw every mermaid diagram on the page with the local mermaid.js (loaded just before).
// Furo switches between light and dark: follow it, and draw again when it changes.
(function () {
  "use strict";
  const sources = new Map();

  function dark() {
    const chosen = document.body.dataset.theme;
    if (chosen === "dark") return true;
    if (chosen === "light") return false;
    return window.matchMedia("(prefers-color-scheme: dark)").matches;
  }

  async function draw() {
    const diagrams = document.querySelectorAll("pre.mermaid, div.mermaid");
    diagrams.forEach((element) => {
      if (!sources.has(element)) sources.set(element, element.textContent);
      element.removeAttribute("data-processed");
      element.textContent = sources.get(element);
    });
    window.mermaid.initialize({ startOnLoad: false, theme: dark() ? "dark" : "default" });
    await window.mermaid.run({ nodes: Array.from(diagrams) });
  }

  document.addEventListener("DOMContentLoaded", () => {
    draw();
    new MutationObserver(draw).observe(document.body, {
      attributes: true,
      attributeFilter: ["data-theme"],
    });
  });
})();

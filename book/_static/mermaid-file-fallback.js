// 《大模型，小团队》: diagrams when the site is opened from a folder (file://), e.g. a workshop USB stick.
// Browsers refuse to load ES modules from file:// URLs, so sphinxcontrib-mermaid's module script cannot
// run there. This classic script loads Mermaid's IIFE build (vendored next to the ES module by
// tools/vendor_assets.sh) and renders the diagrams still shown as text, with the same settings
// (window.LMBOOK_MERMAID_CONFIG, written from _config.yml by book/_ext/site_meta.py). Over http it does nothing.
(function () {
  "use strict";
  if (window.location.protocol !== "file:") {
    return;
  }
  function pending() {
    return Array.prototype.filter.call(document.querySelectorAll("pre.mermaid"), function (el) {
      return !el.querySelector("svg");
    });
  }
  window.addEventListener("load", function () {
    if (!pending().length) {
      return;
    }
    var root = document.documentElement.getAttribute("data-content_root") || "";
    var script = document.createElement("script");
    script.src = root + "_static/vendor/mermaid/mermaid.min.js";
    script.onload = function () {
      var config = Object.assign({}, window.LMBOOK_MERMAID_CONFIG || {}, { startOnLoad: false });
      window.mermaid.initialize(config);
      window.mermaid.run({ nodes: pending() });
    };
    document.head.appendChild(script);
  });
})();

// 《大模型，小团队》: the ipywidgets HTML manager (vendor/html-manager/embed.js) typesets widget labels with
// MathJax 2's `MathJax.Hub.Queue(["Typeset", MathJax.Hub, element])`; the site uses MathJax 3, which has no
// Hub, so every widget label threw a TypeError. Loaded `defer` after MathJax (book/_ext/site_meta.py) and
// before the widgets render (DOMContentLoaded), this maps the call onto MathJax 3's typesetPromise.
(function () {
  "use strict";
  function install() {
    var mj = window.MathJax;
    if (!mj || mj.Hub) {
      return;
    }
    mj.Hub = {
      Queue: function (job) {
        var element = Array.isArray(job) ? job[2] : null;
        if (typeof mj.typesetPromise === "function") {
          mj.typesetPromise(element ? [element] : undefined).catch(function () {});
        }
      },
    };
  }
  install();
  document.addEventListener("DOMContentLoaded", install);
})();

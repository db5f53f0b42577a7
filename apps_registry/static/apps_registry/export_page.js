// The export page: a search box over the items, and a confirmation once the download started.
// A separate file, so the strict content security policy can keep forbidding inline scripts.
(function () {
  "use strict";
  const COOKIE = "keyport_exported";

  function readCookie() {
    const found = document.cookie.split("; ").find((part) => part.startsWith(COOKIE + "="));
    return found ? decodeURIComponent(found.slice(COOKIE.length + 1)) : "";
  }

  function clearCookie() {
    document.cookie = COOKIE + "=; Max-Age=0; Path=/admin/export/; SameSite=Strict";
  }

  function addSearch() {
    const search = document.getElementById("export-search");
    if (!search) return;
    search.hidden = false;
    search.addEventListener("input", () => {
      const wanted = search.value.trim().toLowerCase();
      document.querySelectorAll("#export-form .export-choice label").forEach((label) => {
        if (!label.querySelector("input")) return; // a field's own label, not an item
        const row = label.closest("li, div") || label;
        row.hidden = wanted !== "" && !label.textContent.toLowerCase().includes(wanted);
      });
    });
  }

  function confirmDownload() {
    const form = document.getElementById("export-form");
    const banner = document.getElementById("export-done");
    if (!form || !banner) return;
    form.addEventListener("submit", () => {
      clearCookie();
      const started = Date.now();
      const timer = window.setInterval(() => {
        const done = readCookie();
        if (done) {
          banner.textContent = done;
          banner.hidden = false;
          clearCookie();
          window.clearInterval(timer);
          const password = document.getElementById("id_password");
          if (password) password.value = "";
        } else if (Date.now() - started > 60000) {
          window.clearInterval(timer);
        }
      }, 400);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    addSearch();
    confirmDownload();
  });
})();

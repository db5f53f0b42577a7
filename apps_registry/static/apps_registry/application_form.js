// The Zenoti-style application form: show the record-only fields only when recording,
// "select all / none" per API group, and a show/hide toggle on pasted secrets.
// A separate file, so the strict content security policy can keep forbidding inline scripts.
(function () {
  "use strict";
  const RECORD_ONLY = ["recorded_application_id", "recorded_secret", "recorded_api_key",
    "recorded_api_key_expires_on", "zenoti_account_name", "zenoti_api_base_url"];

  function recordOnlyRows() {
    return RECORD_ONLY.map((name) => document.querySelector(".form-row.field-" + name))
      .filter(Boolean);
  }

  function syncCredentialMode() {
    const chosen = document.querySelector("input[name=credential_mode]:checked");
    const recording = chosen !== null && chosen.value === "record";
    recordOnlyRows().forEach((row) => { row.hidden = !recording; });
  }

  function addGroupToggles() {
    document.querySelectorAll("#id_scopes > div").forEach((group) => {
      const label = group.querySelector(":scope > label");
      const boxes = group.querySelectorAll("input[type=checkbox]");
      if (!label || boxes.length < 2) return;
      const tools = document.createElement("span");
      tools.className = "scope-group-tools";
      [["all", true], ["none", false]].forEach(([text, state]) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "scope-toggle";
        button.textContent = text;
        button.setAttribute("aria-label", "Select " + text + " of " + label.textContent.trim());
        button.addEventListener("click", () => boxes.forEach((box) => { box.checked = state; }));
        tools.appendChild(button);
      });
      label.after(tools);
    });
  }

  function addRevealToggles() {
    document.querySelectorAll("input[type=password][data-reveal]").forEach((input) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "reveal-toggle";
      button.textContent = "Show";
      button.addEventListener("click", () => {
        const hidden = input.type === "password";
        input.type = hidden ? "text" : "password";
        button.textContent = hidden ? "Hide" : "Show";
      });
      input.after(button);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("input[name=credential_mode]").forEach((radio) => {
      radio.addEventListener("change", syncCredentialMode);
    });
    syncCredentialMode();
    addGroupToggles();
    addRevealToggles();
  });
})();

/* roundup-kb cite panel.
 *
 * Every entry (and every issue byline) has a small <button class="roundup-cite"
 * data-cite="KEY" data-issue="N">.  On click this script fetches the issue's
 * cite document (cite/N.json at the site root, written by the build) once, and
 * shows one shared <dialog> with the citation as a formatted reference, BibTeX,
 * RIS and CSL-JSON, each with a copy button and a download link.  No markup per
 * entry beyond the button; no third-party code.
 */
(() => {
  "use strict";

  const FORMATS = [
    { id: "reference", label: "Reference", ext: ".txt", type: "text/plain" },
    { id: "bibtex", label: "BibTeX", ext: ".bib", type: "application/x-bibtex" },
    { id: "ris", label: "RIS", ext: ".ris", type: "application/x-research-info-systems" },
    { id: "csl", label: "CSL-JSON", ext: ".json", type: "application/vnd.citationstyles.csl+json" },
  ];
  const root = document.documentElement.dataset.content_root || "";
  const documents = new Map();
  let dialog = null;
  let opener = null;
  let record = null;
  let current = "reference";
  let blobUrl = null;

  function load(issue) {
    if (!documents.has(issue)) {
      const url = `${root}cite/${encodeURIComponent(issue)}.json`;
      const request = fetch(url).then((response) => {
        if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
        return response.json();
      });
      request.catch(() => documents.delete(issue)); // let a later click retry
      documents.set(issue, request);
    }
    return documents.get(issue);
  }

  function element(tag, attributes = {}, text = "") {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    if (text) node.textContent = text;
    return node;
  }

  function build() {
    dialog = element("dialog", { class: "roundup-cite-dialog", "aria-labelledby": "roundup-cite-heading" });
    const head = element("div", { class: "roundup-cite-head" });
    head.append(element("h2", { id: "roundup-cite-heading" }, "Cite"));
    const close = element("button", { type: "button", class: "roundup-cite-close", "aria-label": "Close" }, "×");
    close.addEventListener("click", () => dialog.close());
    head.append(close);
    const what = element("p", { class: "roundup-cite-what" });
    const tabs = element("div", { role: "tablist", "aria-label": "Citation format", class: "roundup-cite-tabs" });
    for (const format of FORMATS) {
      const tab = element("button", {
        type: "button", role: "tab", id: `roundup-cite-tab-${format.id}`,
        "aria-controls": "roundup-cite-panel", "data-format": format.id,
      }, format.label);
      tab.addEventListener("click", () => show(format.id, true));
      tabs.append(tab);
    }
    tabs.addEventListener("keydown", (event) => {
      const order = FORMATS.map((f) => f.id);
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (step) {
        event.preventDefault();
        show(order[(order.indexOf(current) + step + order.length) % order.length], true);
      }
    });
    const panel = element("div", { role: "tabpanel", id: "roundup-cite-panel", class: "roundup-cite-body" });
    const pre = element("pre", { tabindex: "0", class: "roundup-cite-text" });
    const rendered = element("div", { class: "roundup-cite-rendered", tabindex: "0" });
    const actions = element("div", { class: "roundup-cite-actions" });
    const copy = element("button", { type: "button", class: "roundup-cite-copy" }, "Copy");
    copy.addEventListener("click", copyText);
    const download = element("a", { class: "roundup-cite-download" }, "Download");
    const status = element("span", { role: "status", "aria-live": "polite", class: "roundup-cite-status" });
    actions.append(copy, download, status);
    panel.append(rendered, pre, actions);
    dialog.append(head, what, tabs, panel);
    dialog.addEventListener("close", () => {
      if (opener) opener.focus();
    });
    // a click on the backdrop closes the dialog
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) dialog.close();
    });
    document.body.append(dialog);
  }

  function text(format) {
    if (!record) return "";
    // CSL-JSON comes as data; shown as Python's json.dumps(indent=2) would write it
    if (format === "csl") return JSON.stringify(record.csl, null, 2);
    return record[format];
  }

  function show(format, focus) {
    current = format;
    const spec = FORMATS.find((f) => f.id === format);
    for (const tab of dialog.querySelectorAll("[role=tab]")) {
      const selected = tab.dataset.format === format;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      if (selected && focus) tab.focus();
    }
    dialog.querySelector("[role=tabpanel]").setAttribute("aria-labelledby", `roundup-cite-tab-${format}`);
    const pre = dialog.querySelector(".roundup-cite-text");
    const rendered = dialog.querySelector(".roundup-cite-rendered");
    const download = dialog.querySelector(".roundup-cite-download");
    dialog.querySelector(".roundup-cite-status").textContent = "";
    if (!record) return;
    const value = text(format);
    if (format === "reference") {
      // reference_html is generated by the build from escaped text
      rendered.innerHTML = record.reference_html;
      rendered.hidden = false;
      pre.hidden = true;
    } else {
      pre.textContent = value;
      pre.hidden = false;
      rendered.hidden = true;
    }
    if (blobUrl) URL.revokeObjectURL(blobUrl);
    blobUrl = URL.createObjectURL(new Blob([value], { type: spec.type }));
    download.href = blobUrl;
    download.download = `${record.key}${spec.ext}`;
    download.textContent = `Download ${record.key}${spec.ext}`;
  }

  async function copyText() {
    const status = dialog.querySelector(".roundup-cite-status");
    const value = text(current);
    try {
      await navigator.clipboard.writeText(value);
    } catch (error) {
      // no clipboard API (an insecure context): select the text for the reader
      const range = document.createRange();
      range.selectNodeContents(dialog.querySelector(current === "reference" ? ".roundup-cite-rendered" : ".roundup-cite-text"));
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      status.textContent = document.execCommand && document.execCommand("copy") ? "Copied." : "Selected: press Ctrl+C to copy.";
      return;
    }
    status.textContent = "Copied.";
  }

  async function open(button) {
    if (!dialog) build();
    opener = button;
    record = null;
    const what = dialog.querySelector(".roundup-cite-what");
    what.textContent = "Loading…";
    show(current, false);
    dialog.querySelector(".roundup-cite-text").textContent = "";
    dialog.querySelector(".roundup-cite-rendered").textContent = "";
    if (!dialog.open) dialog.showModal();
    try {
      const data = await load(button.dataset.issue);
      record = button.dataset.cite === "issue" ? data.issue : data.entries[button.dataset.cite];
      if (!record) throw new Error(`no citation for ${button.dataset.cite}`);
      what.textContent = `Citation key: ${record.key}`;
      show(current, true);
    } catch (error) {
      what.textContent = `The citation could not be loaded (${error.message}). Browse the site over http(s) rather than from files.`;
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("button.roundup-cite");
    if (button) {
      event.preventDefault();
      open(button);
    }
  });
  window.roundupCite = { open, load };
})();

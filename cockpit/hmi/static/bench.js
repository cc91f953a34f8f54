// The bus view (bench scope only): the newest frame of each ID with its integrity verdict, and
// fault buttons that call InjectFault / ClearFault through the bridge.
export class Bench {
  constructor(send) {
    this.send = send;
    this.enabled = false;
    this.rows = new Map();
    this.body = document.querySelector("[data-role=frames]");
    this.faults = new Map();
    for (const b of document.querySelectorAll("[data-fault]")) {
      b.addEventListener("click", () =>
        this.send({ type: "fault", kind: b.dataset.fault, message: b.dataset.message || "", ecu: b.dataset.ecu || "" }));
    }
    document.querySelector("[data-role=clear-faults]").addEventListener("click", () => this.send({ type: "clear_fault", fault_id: "" }));
  }

  frames(frames) {
    for (const f of frames) {
      let tr = this.rows.get(f.id);
      if (!tr) {
        tr = document.createElement("tr");
        for (let i = 0; i < 7; i++) tr.append(document.createElement("td"));
        this.rows.set(f.id, tr);
        const after = [...this.rows.keys()].filter((id) => id > f.id).sort((a, b) => a - b)[0];
        this.body.insertBefore(tr, after === undefined ? null : this.rows.get(after));
      }
      const message = f.error_frame ? "error frame" : f.message || "?";
      tr.dataset.frame = message;
      tr.dataset.canId = `0x${f.id.toString(16).toUpperCase()}`;
      const crc = f.scheme === "none" || f.scheme === undefined ? "–" : f.crc_ok ? "ok" : "bad";
      const counter = f.scheme === "none" || f.scheme === undefined ? "–" : f.counter_ok ? "ok" : "bad";
      tr.dataset.crc = crc;
      tr.dataset.counter = counter;
      const signals = Object.entries(f.signals || {}).map(([k, v]) => `${k}=${v}`).join(" ");
      tr.dataset.signals = signals;
      const cells = [tr.dataset.canId, message, String(f.count), f.data, crc, counter, signals];
      cells.forEach((text, i) => { tr.children[i].textContent = text; });
      tr.children[4].className = crc === "bad" ? "bad" : crc === "ok" ? "ok" : "";
      tr.children[5].className = counter === "bad" ? "bad" : counter === "ok" ? "ok" : "";
      tr.children[6].className = "signals";
      if (f.reason) tr.children[4].title = f.reason;
    }
  }

  faultReport(msg) {
    if (msg.type === "hmi.fault") this.faults.set(msg.fault_id, msg.description);
    else if (msg.fault_id) this.faults.delete(msg.fault_id);
    else this.faults.clear();
    document.querySelector("[data-role=faults]").textContent =
      this.faults.size ? `active: ${[...this.faults.values()].join("; ")}` : "no faults";
  }
}

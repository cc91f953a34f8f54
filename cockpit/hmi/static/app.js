// The head unit: one WebSocket to the bridge, reconnected with backoff; every message goes to the
// panel that shows it. Event lines are docs/events.md; the bridge's own messages are `hmi.*`.
import { Conversation } from "./conversation.js";
import { Car } from "./car.js";
import { Bench } from "./bench.js";
import { Microphone, Speaker } from "./audio.js";

const $ = (sel) => document.querySelector(sel);
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];
const speech = new URLSearchParams(location.search).get("speech") !== "0";

class Hmi {
  constructor() {
    this.ws = null;
    this.failures = 0;
    this.banners = [];
    this.conversation = new Conversation($("[data-role=conversation]"), (text) => this.say(text));
    this.car = new Car();
    this.bench = new Bench((msg) => this.sendJson(msg));
    this.speaker = new Speaker();
    this.mic = new Microphone((chunk) => this.sendAudio(chunk), (message) => this.micError(message));
    this.listening = null; // "talk" or "always" while the microphone streams
    this.wire();
    this.connect();
  }

  connect() {
    const ws = new WebSocket(`ws://${location.host}/ws${speech ? "" : "?speech=0"}`);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    ws.onopen = () => {
      this.failures = 0;
      this.banner(null);
      this.connection("connected", true);
    };
    ws.onmessage = (msg) => {
      if (typeof msg.data !== "string") return;
      let obj;
      try { obj = JSON.parse(msg.data); } catch { return; }
      this.dispatch(obj);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.stopListening(false);
      const why = ev.code === 1009 ? "the last message was too large for the head unit's bridge" : "connection to the car lost";
      if (ev.code === 1009) this.conversation.error("message-too-large", why);
      const wait = BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)];
      this.failures += 1;
      this.banner(`${why[0].toUpperCase()}${why.slice(1)}: reconnecting in ${Math.round(wait / 1000)} s…`);
      this.connection("disconnected", false);
      setTimeout(() => this.connect(), wait);
    };
  }

  dispatch(obj) {
    switch (obj.type) {
      case "hmi.hello":
        $("[data-role=bus-tab]").hidden = !obj.bench;
        this.bench.enabled = obj.bench;
        if (obj.origin) this.car.setOrigin(obj.origin, obj.average_speed_kmh);
        break;
      case "hmi.signal": this.car.signal(obj.path, obj.value); break;
      case "hmi.health": this.health(obj); break;
      case "hmi.service":
        this.banner(obj.up ? null : `The cockpit service is unreachable (${obj.message || "no answer"}): retrying…`);
        this.connection(obj.up ? "connected" : "service down", obj.up);
        break;
      case "hmi.frames": this.bench.frames(obj.frames); break;
      case "hmi.fault": case "hmi.fault_cleared": this.bench.faultReport(obj); break;
      case "hmi.listening":
        if (!obj.on && this.listening) this.stopListening(false);
        break;
      case "hmi.error": this.conversation.error(obj.code, obj.message); break;
      default: this.event(obj);
    }
  }

  event(ev) {
    if (ev.type === "wake") this.speaker.stop(); // barge-in: the driver speaks over the reply
    if (ev.type === "tts_audio") { this.speaker.play(ev); return; }
    this.conversation.event(ev);
    this.car.event(ev);
  }

  health(h) {
    $("[data-role=degraded]").hidden = h.dialogue !== "NOT_SERVING";
    $("[data-role=voice-down]").hidden = h.voice !== "NOT_SERVING";
  }

  connection(text, up) {
    const badge = $("[data-role=connection]");
    badge.textContent = text;
    badge.classList.toggle("down", !up);
  }

  banner(text) {
    if (text) this.banners.push(text); // what the driver was told (tests read it)
    const b = $("[data-role=banner]");
    b.hidden = !text;
    b.textContent = text || "";
  }

  sendJson(obj) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) { this.ws.send(JSON.stringify(obj)); return true; }
    this.conversation.error("not-connected", "Not connected to the car; try again in a moment.");
    return false;
  }

  sendAudio(chunk) {
    if (this.listening && this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(chunk);
  }

  say(text) {
    this.speaker.stop();
    if (this.sendJson({ type: "text", text })) this.conversation.you(text);
  }

  async startListening(mode) {
    if (this.listening) return;
    this.speaker.stop();
    this.listening = mode;
    $("[data-role=talk]").classList.add("active");
    const ok = await this.mic.start();
    if (!ok || this.listening !== mode) { this.stopListening(false); return; }
    $("[data-role=mic-error]").hidden = true;
    if (!this.sendJson({ type: "listen", mode })) this.stopListening(false);
  }

  stopListening(tell = true) {
    if (!this.listening) return;
    this.listening = null;
    this.mic.stop();
    $("[data-role=talk]").classList.remove("active");
    $("[data-role=always]").checked = false;
    if (tell && this.ws && this.ws.readyState === WebSocket.OPEN) this.sendJson({ type: "listen_end" });
  }

  micError(message) {
    const box = $("[data-role=mic-error]");
    box.textContent = message;
    box.hidden = false;
  }

  wire() {
    $("[data-role=talk-form]").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const input = $("[data-role=utterance]");
      const text = input.value.trim();
      if (!text) return;
      input.value = "";
      this.say(text);
    });
    // Push to talk: held, the microphone streams until it is let go; a short press leaves it on
    // until the next press. The service still listens for its wake word ("Hey Jarvis, ...").
    const talk = $("[data-role=talk]");
    let pressedAt = 0;
    let wasOn = false;
    talk.addEventListener("pointerdown", () => {
      pressedAt = Date.now();
      wasOn = Boolean(this.listening);
      if (!wasOn) this.startListening("talk");
    });
    talk.addEventListener("pointerup", () => {
      if (wasOn || Date.now() - pressedAt > 600) this.stopListening();
    });
    talk.addEventListener("keydown", (ev) => {
      if (ev.key !== "Enter" && ev.key !== " ") return;
      ev.preventDefault();
      if (this.listening) this.stopListening(); else this.startListening("talk");
    });
    $("[data-role=always]").addEventListener("change", (ev) => {
      if (ev.target.checked) this.startListening("always"); else this.stopListening();
    });
    this.tab = "car";
    for (const button of document.querySelectorAll("[data-tab]")) {
      button.addEventListener("click", () => this.showTab(button.dataset.tab));
    }
  }

  showTab(tab) {
    this.tab = tab;
    for (const b of document.querySelectorAll("[data-tab]")) b.classList.toggle("active", b.dataset.tab === tab);
    for (const v of document.querySelectorAll("[data-view]")) v.hidden = v.dataset.view !== tab;
  }
}

window.hmi = new Hmi();

// The conversation: one entry per event a driver cares about, each with data-event="<event type>".
const MAX_ENTRIES = 200;
const SHORT = {
  "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature": "driver temperature",
  "Vehicle.Cabin.HVAC.Station.Row1.Passenger.Temperature": "passenger temperature",
  "Vehicle.Cabin.HVAC.Station.Row1.Driver.FanSpeed": "fan",
  "Vehicle.Cabin.HVAC.IsAirConditioningActive": "A/C",
  "Vehicle.Cabin.HVAC.IsRecirculationActive": "recirculation",
  "Vehicle.Cabin.HVAC.IsFrontDefrosterActive": "front defrost",
  "Vehicle.Cabin.HVAC.IsRearDefrosterActive": "rear defrost",
  "Vehicle.Cabin.Seat.Row1.DriverSide.HeatingCooling": "driver seat heating",
  "Vehicle.Cabin.Seat.Row1.PassengerSide.HeatingCooling": "passenger seat heating",
  "Vehicle.Cabin.Infotainment.Media.Volume": "volume",
  "Vehicle.Cabin.Infotainment.Media.IsMuted": "mute",
  "Vehicle.Cabin.Infotainment.Media.Action": "media",
  "Vehicle.Cabin.Infotainment.Media.SelectedURI": "selection",
  "Vehicle.Cabin.Infotainment.Navigation.DestinationSet.Latitude": "destination latitude",
  "Vehicle.Cabin.Infotainment.Navigation.DestinationSet.Longitude": "destination longitude",
  "Vehicle.Cabin.Infotainment.Navigation.IsGuidanceActive": "guidance",
};
const MARK = { sent: "→", confirmed: "✓", rejected: "✗", timeout: "⌛" };

export class Conversation {
  constructor(list, say) {
    this.list = list;
    this.say = say;
    this.partial = null; // the live partial transcript entry
    this.tokens = null; // the streaming answer entry, by turn
    this.actions = new Map(); // "turn|signal" -> entry
    this.partials = 0; // partial transcripts shown so far (tests read it)
  }

  add(type, text, cls = "") {
    const li = document.createElement("li");
    li.dataset.event = type;
    if (cls) li.className = cls;
    li.textContent = text;
    this.list.append(li);
    while (this.list.children.length > MAX_ENTRIES) this.list.firstElementChild.remove();
    this.list.scrollTop = this.list.scrollHeight;
    return li;
  }

  meta(li, text) {
    const span = document.createElement("span");
    span.className = "meta";
    span.textContent = text;
    li.append(span);
  }

  you(text) {
    this.add("you", text, "you");
  }

  error(code, message) {
    const li = this.add("error", `${message}`);
    li.dataset.code = code;
    this.meta(li, code);
  }

  event(ev) {
    switch (ev.type) {
      case "wake": {
        const li = this.add("wake", "“Hey Jarvis”");
        this.meta(li, `wake word ${Number(ev.score).toFixed(2)}`);
        break;
      }
      case "transcript": this.transcript(ev); break;
      case "intent": {
        const slots = Object.entries(ev.slots || {}).map(([k, v]) => `${k}=${v}`).join(" ");
        const li = this.add("intent", `${ev.intent}${slots ? " " + slots : ""}`, "small");
        this.meta(li, `${ev.source} ${Number(ev.confidence).toFixed(2)}`);
        this.tokens = null;
        break;
      }
      case "llm_token":
        if (!this.tokens || this.tokens.dataset.turn !== String(ev.turn)) {
          this.tokens = this.add("llm_token", "");
          this.tokens.dataset.turn = String(ev.turn);
        }
        this.tokens.textContent += ev.text;
        break;
      case "policy": this.policy(ev); break;
      case "action": this.action(ev); break;
      case "reply":
        this.tokens = null;
        this.add("reply", ev.text);
        break;
      case "error": {
        const li = this.add("error", ev.message);
        li.dataset.code = ev.code;
        this.meta(li, ev.code);
        break;
      }
      default: break; // speech_start, speech_end, state: shown elsewhere
    }
  }

  transcript(ev) {
    if (!ev.final) {
      this.partials += 1;
      if (!this.partial) this.partial = this.add("transcript", "", "partial");
      this.partial.dataset.final = "false";
      this.partial.textContent = ev.text || "…";
      return;
    }
    const li = this.partial || this.add("transcript", "");
    this.partial = null;
    li.classList.remove("partial");
    li.dataset.final = "true";
    li.textContent = ev.text || "(nothing heard)";
    li.dataset.confidence = String(ev.confidence);
    this.meta(li, `confidence ${Number(ev.confidence).toFixed(2)}`);
  }

  policy(ev) {
    if (ev.decision === "allowed") return;
    if (ev.decision === "refused") {
      const li = this.add("policy", ev.reason || "Refused.", "refused");
      li.dataset.decision = ev.decision;
      this.meta(li, "refused");
      return;
    }
    const li = this.add("policy", ev.reason || "Shall I go ahead?", "confirm");
    li.dataset.decision = ev.decision;
    const row = document.createElement("div");
    for (const [answer, cls] of [["Yes", "yes"], ["No", "no"]]) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = cls;
      b.dataset.role = `confirm-${cls}`;
      b.textContent = answer;
      b.addEventListener("click", () => {
        for (const other of row.querySelectorAll("button")) other.disabled = true;
        this.say(answer.toLowerCase());
      });
      row.append(b);
    }
    li.append(row);
  }

  action(ev) {
    const key = `${ev.turn}|${ev.signal}`;
    let li = this.actions.get(key);
    const name = SHORT[ev.signal] || ev.signal.split(".").slice(-2).join(" ");
    if (!li || ev.status === "sent") {
      li = this.add("action", "", "small");
      this.actions.set(key, li);
      if (this.actions.size > 50) this.actions.delete(this.actions.keys().next().value);
    }
    li.dataset.status = ev.status;
    li.dataset.signal = ev.signal;
    li.textContent = `${MARK[ev.status] || "…"} ${name} ${ev.value} ${ev.status}${ev.reason ? ": " + ev.reason : ""}`;
  }
}

// The car's panels: every value comes from WatchVehicleState (hmi.signal), i.e. what an ECU
// confirmed. An element [data-vss="<path>"] shows the value; data-value holds it as JSON.
const GEARS = { 126: "P", 127: "D", "-1": "R", 0: "N" };
const LAT = "Vehicle.Cabin.Infotainment.Navigation.DestinationSet.Latitude";
const LON = "Vehicle.Cabin.Infotainment.Navigation.DestinationSet.Longitude";
const GUIDANCE = "Vehicle.Cabin.Infotainment.Navigation.IsGuidanceActive";
const SVG = "http://www.w3.org/2000/svg";

export function format(path, value) {
  if (typeof value === "boolean") {
    if (path === "Vehicle.IsMoving") return value ? "moving" : "stopped";
    return value ? "on" : "off";
  }
  if (path === "Vehicle.Powertrain.Transmission.SelectedGear") return GEARS[value] ?? String(value);
  if (path === "Vehicle.Speed") return String(Math.round(Number(value)));
  if (typeof value === "number") return String(Number(value.toFixed(2)));
  return value === "" ? "–" : String(value);
}

function km(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b[0] - a[0]) * rad;
  const dLon = (b[1] - a[1]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

export class Car {
  constructor() {
    this.state = {};
    this.origin = null;
    this.speedKmh = 50;
    this.pending = new Map(); // turn -> destination name asked for (shown once the car confirms)
    this.destination = "";
  }

  setOrigin(origin, speedKmh) {
    this.origin = origin;
    if (speedKmh) this.speedKmh = speedKmh;
    this.drawMap();
  }

  signal(path, value) {
    this.state[path] = value;
    for (const el of document.querySelectorAll(`[data-vss="${CSS.escape(path)}"]`)) {
      el.textContent = format(path, value);
      el.dataset.value = JSON.stringify(value);
    }
    for (const el of document.querySelectorAll(`[data-level-of="${CSS.escape(path)}"]`)) {
      // The skill's levels 0-3 are 0, 33, 67 and 100 % (cooling, negative, has no level).
      el.textContent = value > 0 ? `level ${Math.round(value / 33.3)}` : value < 0 ? "cooling" : "off";
    }
    if (path === LAT || path === LON || path === GUIDANCE) this.drawMap();
  }

  // The destination's name is not a signal: it is taken from the turn that asked for it, once
  // that turn's navigation write is confirmed.
  event(ev) {
    if (ev.type === "intent" && ev.intent === "navigation.navigate_to") this.pending.set(ev.turn, ev.slots.destination);
    if (ev.type === "intent" && ev.intent === "navigation.cancel") this.pending.set(ev.turn, "");
    if (ev.type === "state" && this.pending.has(ev.turn) && ev.signal.startsWith("Vehicle.Cabin.Infotainment.Navigation")) {
      this.destination = this.pending.get(ev.turn);
      this.drawMap();
    }
    if (ev.type === "reply") this.pending.delete(ev.turn);
  }

  drawMap() {
    const svg = document.querySelector("[data-role=map]");
    const active = this.state[GUIDANCE] === true;
    const dest = [this.state[LAT], this.state[LON]];
    const has = active && typeof dest[0] === "number" && typeof dest[1] === "number" && (dest[0] !== 0 || dest[1] !== 0);
    document.querySelector("[data-role=destination]").textContent = has ? (titleCase(this.destination) || "Destination set") : "No destination";
    svg.replaceChildren();
    if (!this.origin) return;
    const d = has ? km(this.origin, dest) : null;
    document.querySelector("[data-role=distance]").textContent = d === null ? "–" : d.toFixed(1);
    document.querySelector("[data-role=eta]").textContent = d === null ? "–" : eta(d / this.speedKmh);
    // An equirectangular sketch around the two points: no tiles, no roads.
    const pts = has ? [this.origin, dest] : [this.origin];
    const lats = pts.map((p) => p[0]);
    const lons = pts.map((p) => p[1] * Math.cos(this.origin[0] * Math.PI / 180));
    const span = Math.max(Math.max(...lats) - Math.min(...lats), Math.max(...lons) - Math.min(...lons), 0.02);
    const cx = (Math.max(...lons) + Math.min(...lons)) / 2;
    const cy = (Math.max(...lats) + Math.min(...lats)) / 2;
    const scale = 130 / span;
    const xy = (p) => [150 + (p[1] * Math.cos(this.origin[0] * Math.PI / 180) - cx) * scale, 85 - (p[0] - cy) * scale];
    const [ox, oy] = xy(this.origin);
    if (has) {
      const [dx, dy] = xy(dest);
      svg.append(el("line", { x1: ox, y1: oy, x2: dx, y2: dy, stroke: "#7cc4ff", "stroke-width": 3, "stroke-dasharray": "6 4" }));
      svg.append(el("circle", { cx: dx, cy: dy, r: 7, fill: "#ff6b6b", "data-role": "map-destination" }));
      svg.append(label(dx, dy - 10, titleCase(this.destination) || "destination"));
    }
    svg.append(el("circle", { cx: ox, cy: oy, r: 7, fill: "#8fe3a4", "data-role": "map-origin" }));
    svg.append(label(ox, oy + 20, "car"));
  }
}

function el(name, attrs) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

function label(x, y, text) {
  const t = el("text", { x: x + (x > 200 ? -10 : 10), y, fill: "#c9d1dc", "font-size": 12,
    "text-anchor": x > 200 ? "end" : "start" });
  t.textContent = text;
  return t;
}

function eta(hours) {
  const at = new Date(Date.now() + hours * 3600 * 1000);
  const mins = Math.round(hours * 60);
  return `${at.getHours().toString().padStart(2, "0")}:${at.getMinutes().toString().padStart(2, "0")} (${mins} min)`;
}

function titleCase(text) {
  return (text || "").replace(/\b\w/g, (c) => c.toUpperCase());
}

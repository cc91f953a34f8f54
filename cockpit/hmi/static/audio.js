// Microphone in (getUserMedia -> AudioWorklet -> 16 kHz PCM16 chunks) and spoken replies out
// (tts_audio events played through Web Audio, stopped at once on barge-in).
export class Microphone {
  constructor(onChunk, onError) {
    this.onChunk = onChunk;
    this.onError = onError;
    this.stream = null;
    this.ctx = null;
    this.chunks = 0; // sent so far (tests read it)
  }

  async start() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      this.onError("This browser gives the page no microphone. Typing still works.");
      return false;
    }
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      });
    } catch (err) {
      const refused = err && (err.name === "NotAllowedError" || err.name === "SecurityError");
      this.onError(refused
        ? "Microphone access was refused. Allow the microphone for this page to talk; typing still works."
        : `The microphone could not be opened (${err && err.name}). Typing still works.`);
      return false;
    }
    try {
      this.ctx = new AudioContext();
      await this.ctx.audioWorklet.addModule("/static/resampler.js");
      const source = this.ctx.createMediaStreamSource(this.stream);
      const options = { processorOptions: { targetRate: 16000, chunkSamples: 1280 } };
      const node = new AudioWorkletNode(this.ctx, "resampler", options);
      node.port.onmessage = (msg) => { this.chunks += 1; this.onChunk(msg.data); };
      const silent = this.ctx.createGain(); // keeps the worklet pulled by the graph, plays nothing
      silent.gain.value = 0;
      source.connect(node).connect(silent).connect(this.ctx.destination);
      if (this.ctx.state === "suspended") await this.ctx.resume();
    } catch (err) {
      this.stop();
      this.onError(`The microphone's audio could not be processed (${err && err.message}). Typing still works.`);
      return false;
    }
    return true;
  }

  stop() {
    if (this.stream) for (const track of this.stream.getTracks()) track.stop();
    if (this.ctx) this.ctx.close();
    this.stream = null;
    this.ctx = null;
  }
}

export class Speaker {
  constructor() {
    this.ctx = null;
    this.sources = new Set();
    this.next = 0;
    this.skip = false; // the rest of a reply that was barged in on
    this.played = 0; // chunks scheduled so far (tests read it)
  }

  play(ev) {
    if (ev.seq === 0) this.skip = false;
    if (this.skip || !ev.pcm_b64) return;
    if (!this.ctx) this.ctx = new AudioContext();
    if (this.ctx.state === "suspended") this.ctx.resume();
    const bytes = Uint8Array.from(atob(ev.pcm_b64), (c) => c.charCodeAt(0));
    const pcm = new Int16Array(bytes.buffer, 0, bytes.length >> 1);
    const buffer = this.ctx.createBuffer(1, pcm.length, ev.sample_rate);
    const data = buffer.getChannelData(0);
    for (let i = 0; i < pcm.length; i++) data[i] = pcm[i] / 32768;
    const source = this.ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(this.ctx.destination);
    const at = Math.max(this.ctx.currentTime + 0.05, this.next);
    source.start(at);
    this.next = at + buffer.duration;
    this.sources.add(source);
    this.played += 1;
    source.onended = () => this.sources.delete(source);
  }

  stop() {
    if (this.sources.size) this.skip = true;
    for (const source of this.sources) {
      try { source.stop(); } catch { /* already ended */ }
    }
    this.sources.clear();
    this.next = 0;
  }
}

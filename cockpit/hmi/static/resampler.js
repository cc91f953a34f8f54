// AudioWorklet: the microphone, mixed to mono and resampled to 16 kHz signed 16-bit PCM with a
// Hann-windowed sinc low-pass (no aliasing from 44.1/48 kHz), posted in 80 ms chunks.
class Resampler extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = (options && options.processorOptions) || {};
    this.ratio = sampleRate / (o.targetRate || 16000); // input samples per output sample
    this.chunk = o.chunkSamples || 1280;
    this.fc = 0.5 * Math.min(1, 1 / this.ratio) * 0.9; // cut-off in cycles per input sample
    this.half = Math.ceil(8 * Math.max(1, this.ratio)); // taps on each side
    this.buf = new Float32Array(0);
    this.pos = this.half; // input position of the next output sample
    this.out = new Int16Array(this.chunk);
    this.n = 0;
  }

  kernel(x) {
    const w = 0.5 * (1 + Math.cos((Math.PI * x) / this.half));
    const t = 2 * this.fc * x;
    const sinc = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
    return 2 * this.fc * sinc * w;
  }

  process(inputs) {
    const input = inputs[0];
    if (!input || input.length === 0 || input[0].length === 0) return true;
    const frames = input[0].length;
    const grown = new Float32Array(this.buf.length + frames);
    grown.set(this.buf);
    for (const channel of input) {
      for (let i = 0; i < frames; i++) grown[this.buf.length + i] += channel[i] / input.length;
    }
    this.buf = grown;
    while (this.pos + this.half < this.buf.length) {
      const i0 = Math.floor(this.pos);
      let acc = 0;
      let norm = 0;
      for (let k = i0 - this.half + 1; k <= i0 + this.half; k++) {
        const w = this.kernel(k - this.pos);
        acc += this.buf[k] * w;
        norm += w;
      }
      const s = Math.max(-1, Math.min(1, acc / norm));
      this.out[this.n++] = s < 0 ? s * 0x8000 : s * 0x7fff;
      if (this.n === this.chunk) {
        this.port.postMessage(this.out.buffer, [this.out.buffer]);
        this.out = new Int16Array(this.chunk);
        this.n = 0;
      }
      this.pos += this.ratio;
    }
    const drop = Math.floor(this.pos) - this.half;
    if (drop > 0) {
      this.buf = this.buf.slice(drop);
      this.pos -= drop;
    }
    return true;
  }
}

registerProcessor("resampler", Resampler);

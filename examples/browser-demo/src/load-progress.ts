/**
 * The first load's progress: which step runs (starting the backend, downloading the model,
 * building it, the first prediction, which compiles the WebGL shaders), a progress bar (the
 * downloaded bytes, or indeterminate while a step has no measure) and the seconds it has taken.
 */

/** A step of the first load and how long it took, as `window.gcnnDemo.loadSteps` records them. */
export interface LoadStep {
  text: string;
  seconds: number;
  /** Bytes downloaded in the step (model.json and the weights), when it downloads. */
  bytes?: number;
}

const kB = (bytes: number) => `${Math.round(bytes / 1000).toLocaleString('en-US')} kB`;

export class LoadProgress {
  readonly steps: LoadStep[] = [];
  private started = performance.now();
  private timer: ReturnType<typeof setInterval> | undefined;
  private text = '';
  private detail = '';
  /** Whether the bar shows bytes (the response had a Content-Length). */
  private byBytes = false;
  /** Bytes received per file in this step. */
  private readonly downloads = new Map<string, number>();

  constructor(
    private readonly status: HTMLElement,
    private readonly bar: HTMLProgressElement,
    private readonly total: number,
  ) {}

  /** Starts step `index` (1-based) with its text; the bar waits for a measure. */
  step(index: number, text: string): void {
    this.finishStep();
    this.text = `Step ${index} of ${this.total}: ${text}`;
    this.detail = '';
    this.byBytes = false;
    this.started = performance.now();
    this.bar.hidden = false;
    this.bar.removeAttribute('value');
    this.timer = setInterval(() => this.draw(), 250);
    this.draw();
  }

  /**
   * Bytes of `file` received so far, of `total` (its Content-Length; ignored when the body comes
   * compressed and outgrows it). The bar shows the file being downloaded.
   */
  bytes(file: string, received: number, total: number | undefined): void {
    this.downloads.set(file, received);
    const whole = total !== undefined && received <= total ? total : undefined;
    if (whole) {
      this.byBytes = true;
      this.bar.max = whole;
      this.bar.value = received;
    }
    this.detail = `${file}: ${kB(received)}${whole ? ` of ${kB(whole)}` : ''}`;
    this.draw();
  }

  /** tf.io's progress of the weights (0 to 1), for a server without Content-Length. */
  fraction(f: number): void {
    if (this.byBytes) return;
    this.bar.max = 1;
    this.bar.value = f;
  }

  /** Ends the last step and hides the bar. */
  done(): void {
    this.finishStep();
    this.bar.hidden = true;
  }

  private finishStep(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    const bytes = [...this.downloads.values()].reduce((n, b) => n + b, 0);
    const seconds = (performance.now() - this.started) / 1000;
    this.steps.push({ text: this.text, seconds, ...(bytes > 0 ? { bytes } : {}) });
    this.downloads.clear();
  }

  private draw(): void {
    const seconds = Math.floor((performance.now() - this.started) / 1000);
    this.status.textContent = `${this.text}${this.detail ? ` — ${this.detail}` : ''} (${seconds} s)`;
    this.status.className = 'status';
  }
}

/** The name of a fetched URL's file (`model.weights.bin`). */
function fileOf(input: RequestInfo | URL): string {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  return new URL(url, location.href).pathname.split('/').pop() ?? url;
}

/**
 * A `fetch` that reports the bytes of each response's body as they arrive (for tf.io's
 * `fetchFunc`), then hands on a response with the same body, status and headers.
 */
export function countingFetch(
  onBytes: (file: string, received: number, total: number | undefined) => void,
): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (!response.ok || !response.body) return response;
    const total = Number(response.headers.get('content-length')) || undefined;
    const file = fileOf(input);
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let received = 0;
    onBytes(file, 0, total);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
      onBytes(file, received, total);
    }
    const body = new Uint8Array(received);
    let at = 0;
    for (const chunk of chunks) {
      body.set(chunk, at);
      at += chunk.length;
    }
    const { status, statusText, headers } = response;
    return new Response(body, { status, statusText, headers });
  };
}

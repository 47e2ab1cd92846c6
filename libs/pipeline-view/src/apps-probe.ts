import { ViewConfig, viewConfig } from '@app/config';
import { Inject, Injectable } from '@nestjs/common';
import { PIPELINE_CONTROLS, PipelineControls } from './pipeline-controls';
import { AppStatus } from './pipeline-snapshot';

const ANSWER_WITHIN_MS = 800;

/**
 * Each app as its own endpoints tell it: readiness from /health/ready (with what is down), and a
 * producer's counters from /metrics: the figures the apps themselves publish, read once a second.
 */
@Injectable()
export class AppsProbe {
  private readonly previous = new Map<string, { at: number; sent: number }>();

  constructor(
    @Inject(viewConfig.KEY) private readonly view: ViewConfig,
    @Inject(PIPELINE_CONTROLS) private readonly controls: PipelineControls,
  ) {}

  read(): Promise<AppStatus[]> {
    const apps = this.controls.apps?.() ?? this.view.apps;
    return Promise.all(
      apps.map((app) =>
        'running' in app && app.running === false
          ? Promise.resolve({ name: app.name, url: app.url, ready: null, detail: 'stopped' })
          : this.status(app.name, app.url),
      ),
    );
  }

  private async status(name: string, url: string): Promise<AppStatus> {
    const status: AppStatus = { name, url, ready: null, detail: 'no answer' };
    try {
      const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
      status.ready = res.ok;
      status.detail = res.ok ? 'ready' : downParts(await res.json().catch(() => undefined));
      if (name.startsWith('producer')) status.producer = await this.producerCounters(name, url);
    } catch (error) {
      status.detail = `no answer (${(error as Error).message})`;
    }
    return status;
  }

  private async producerCounters(name: string, url: string): Promise<AppStatus['producer']> {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
    const text = await res.text();
    const sent = metric(text, 'orders_produced_total');
    const errors = metric(text, 'orders_produce_errors_total');
    const now = Date.now();
    const before = this.previous.get(name);
    this.previous.set(name, { at: now, sent });
    const perS = before && now > before.at ? ((sent - before.sent) * 1000) / (now - before.at) : 0;
    return { sent, errors, perS: Math.max(0, Math.round(perS)) };
  }
}

/** The sum of a counter's samples in Prometheus text. */
function metric(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sum += Number(line.split(' ').pop());
  }
  return sum;
}

/** Terminus's 503 body: the parts that are down and why. */
function downParts(body: unknown): string {
  const error = (body as { error?: Record<string, Record<string, unknown>> } | undefined)?.error ?? {};
  const parts = Object.entries(error).map(([part, info]) => {
    const why = info.reason ?? info.message ?? info.status;
    return `${part}: ${typeof why === 'string' ? why : JSON.stringify(why)}`;
  });
  return parts.length > 0 ? parts.join('; ') : 'not ready';
}

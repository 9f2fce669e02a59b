import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { MetricsConfig } from './config/schema.js';

/** Prometheus metrics and the /healthz, /readyz endpoints of one daemon. */
export function createTelemetry(daemon: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ daemon });
  collectDefaultMetrics({ register: registry });
  let ready = false;
  const metrics = {
    rows: new Counter({ name: 'nilus_rows_total', help: 'Rows applied (sink) or published (capture)', registers: [registry] }),
    messages: new Counter({ name: 'nilus_messages_total', help: 'Stream messages applied', registers: [registry] }),
    deadLettered: new Counter({ name: 'nilus_dead_lettered_rows_total', help: 'Rows parked on the dead-letter subject', registers: [registry] }),
    lastSeq: new Gauge({ name: 'nilus_applied_stream_sequence', help: 'Last stream sequence applied', registers: [registry] }),
  };
  return {
    metrics,
    setReady(r: boolean) {
      ready = r;
    },
    listen(cfg: MetricsConfig): Server | null {
      if (cfg.port === 0) return null;
      const server = createServer(async (req, res) => {
        if (req.url === '/healthz') return void res.writeHead(200).end('ok\n');
        if (req.url === '/readyz') return void res.writeHead(ready ? 200 : 503).end(ready ? 'ready\n' : 'not ready\n');
        if (req.url === '/metrics') return void res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
        res.writeHead(404).end();
      });
      server.listen(cfg.port, cfg.host);
      return server;
    },
  };
}

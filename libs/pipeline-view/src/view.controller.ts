import { Controller, Get, MessageEvent, Res, Sse } from '@nestjs/common';
import type { Response } from 'express';
import { join } from 'node:path';
import { map, Observable } from 'rxjs';
import { PipelineProbe } from './pipeline-probe';

const PAGE = join(__dirname, 'page');

/** The page (plain HTML, CSS and a script: nothing to build) and its stream of snapshots. */
@Controller()
export class ViewController {
  constructor(private readonly probe: PipelineProbe) {}

  @Get()
  page(@Res() res: Response): void {
    res.sendFile(join(PAGE, 'index.html'));
  }

  @Get(['view.js', 'view.css'])
  asset(@Res() res: Response): void {
    res.sendFile(join(PAGE, res.req.path.slice(1)));
  }

  /** Server-sent events: each open page gets the snapshot the probe took for all of them. */
  @Sse('events')
  events(): Observable<MessageEvent> {
    return this.probe.snapshots.pipe(map((snapshot) => ({ data: snapshot })));
  }
}

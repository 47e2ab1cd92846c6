import {
  BadRequestException,
  Body,
  CanActivate,
  Controller,
  ExecutionContext,
  HttpCode,
  Inject,
  Injectable,
  NotFoundException,
  Param,
  Post,
  UnsupportedMediaTypeException,
  UseGuards,
} from '@nestjs/common';
import type { Request } from 'express';
import { Kind, KINDS } from '@app/order-generator';
import { PIPELINE_CONTROLS, PipelineControls } from './pipeline-controls';
import { PipelineProbe } from './pipeline-probe';
import { RecordSender } from './record-sender';

/**
 * Only JSON requests act. A web page of another origin open in the same browser can post a form to
 * 127.0.0.1 without asking; a JSON body makes the browser ask first (a CORS preflight), and the view
 * never says yes: no other site can stop a consumer or kill a node.
 */
@Injectable()
export class JsonRequestsOnly implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const type = context.switchToHttp().getRequest<Request>().headers['content-type'] ?? '';
    if (!type.startsWith('application/json')) {
      throw new UnsupportedMediaTypeException('actions take a JSON body (Content-Type: application/json)');
    }
    return true;
  }
}

/** The page's buttons. Each leaves a line on the timeline, so cause and effect show side by side. */
@Controller('actions')
@UseGuards(JsonRequestsOnly)
export class ActionsController {
  constructor(
    private readonly sender: RecordSender,
    private readonly probe: PipelineProbe,
    @Inject(PIPELINE_CONTROLS) private readonly controls: PipelineControls,
  ) {}

  @Post('send/:kind')
  @HttpCode(200)
  async send(@Param('kind') kind: string): Promise<{ said: string }> {
    if (!KINDS.includes(kind as Kind)) {
      throw new BadRequestException(`kind must be one of ${KINDS.join(', ')}`);
    }
    const { partition, says } = await this.sender.send(kind as Kind);
    const said = `sent ${kind} to partition ${partition}: ${says}`;
    this.probe.note('action', said);
    return { said };
  }

  @Post('consumers/:name')
  @HttpCode(200)
  async consumer(@Param('name') name: string, @Body() body: { run?: unknown }): Promise<{ said: string }> {
    if (!this.controls.consumers().some((c) => c.name === name)) {
      throw new NotFoundException(`no consumer ${name} under this view's control`);
    }
    const said = body.run === true ? `started ${name}` : `stopped ${name} (SIGTERM: it leaves the group)`;
    await (body.run === true ? this.controls.startConsumer(name) : this.controls.stopConsumer(name));
    this.probe.note('action', said);
    return { said };
  }

  @Post('brokers/:node')
  @HttpCode(200)
  async broker(@Param('node') param: string, @Body() body: { run?: unknown }): Promise<{ said: string }> {
    const node = Number(param);
    if (!this.controls.brokers().some((b) => b.node === node)) {
      throw new NotFoundException(`no Kafka node ${param} under this view's control`);
    }
    const said = body.run === true ? `started Kafka node ${node}` : `stopped Kafka node ${node} (kill -9)`;
    await (body.run === true ? this.controls.startBroker(node) : this.controls.stopBroker(node));
    this.probe.note('action', said);
    return { said };
  }
}

import { appConfigModule, consumerConfig, databaseConfig, kafkaConfig, viewConfig } from '@app/config';
import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ActionsController } from './actions.controller';
import { AppsProbe } from './apps-probe';
import { DatabaseProbe } from './database-probe';
import { DeadLetterTail } from './dead-letter-tail';
import { KafkaProbe } from './kafka-probe';
import { NO_CONTROLS, PIPELINE_CONTROLS, PipelineControls } from './pipeline-controls';
import { PipelineProbe } from './pipeline-probe';
import { RecordSender } from './record-sender';
import { ViewController } from './view.controller';

/**
 * The live view of a running pipeline: the same settings as the apps (KAFKA_BROKERS, DATABASE_URL,
 * the topics and the group), and whatever processes the caller lets it control.
 */
@Module({})
export class PipelineViewModule {
  static forRoot(controls: PipelineControls = NO_CONTROLS): DynamicModule {
    return {
      module: PipelineViewModule,
      imports: [
        appConfigModule([kafkaConfig, consumerConfig, databaseConfig, viewConfig]),
        ScheduleModule.forRoot(),
      ],
      controllers: [ViewController, ActionsController],
      providers: [
        { provide: PIPELINE_CONTROLS, useValue: controls },
        KafkaProbe,
        DatabaseProbe,
        DeadLetterTail,
        AppsProbe,
        PipelineProbe,
        RecordSender,
      ],
    };
  }
}

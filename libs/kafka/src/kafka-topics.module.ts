import { Module } from '@nestjs/common';
import { TopicProvisioner } from './topic-provisioner.service';

@Module({ providers: [TopicProvisioner], exports: [TopicProvisioner] })
export class KafkaTopicsModule {}

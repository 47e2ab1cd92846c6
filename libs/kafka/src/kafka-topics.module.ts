import { Module } from '@nestjs/common';
import { TopicProvisioner } from './topic-provisioner';

@Module({ providers: [TopicProvisioner], exports: [TopicProvisioner] })
export class KafkaTopicsModule {}

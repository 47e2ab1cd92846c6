// The TypeORM CLI's entry (npm run migration:run / migration:generate).
import 'reflect-metadata';
import { databaseConfig } from '@app/config';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source.options';

export default new DataSource(dataSourceOptions(databaseConfig()));

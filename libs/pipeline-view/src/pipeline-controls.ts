/**
 * What the live view may do to the processes of a running pipeline: the demo hands it its own
 * consumers (and, on a local cluster, its Kafka nodes); `npm run view` on its own controls nothing.
 */
export interface PipelineControls {
  consumers(): Array<{ name: string; running: boolean; pid?: number }>;
  stopConsumer(name: string): Promise<void>;
  startConsumer(name: string): Promise<void>;
  brokers(): Array<{ node: number; running: boolean }>;
  stopBroker(node: number): Promise<void>;
  startBroker(node: number): Promise<void>;
  /** The apps to watch (their URLs are known once they listen; `running` false once stopped); by default VIEW_APPS. */
  apps?(): Array<{ name: string; url: string; running?: boolean }>;
}

export const PIPELINE_CONTROLS = Symbol('PIPELINE_CONTROLS');

/** No processes of its own to control. */
export const NO_CONTROLS: PipelineControls = {
  consumers: () => [],
  stopConsumer: (name) => Promise.reject(new Error(`no consumer ${name} under this view's control`)),
  startConsumer: (name) => Promise.reject(new Error(`no consumer ${name} under this view's control`)),
  brokers: () => [],
  stopBroker: (node) => Promise.reject(new Error(`no Kafka node ${node} under this view's control`)),
  startBroker: (node) => Promise.reject(new Error(`no Kafka node ${node} under this view's control`)),
};

/** Default topic names; deployments may rename them through KAFKA_TOPIC_ORDERS / KAFKA_TOPIC_DLQ. */
export enum OrderTopic {
  Orders = 'food-orders',
  DeadLetter = 'food-orders.dlq',
}

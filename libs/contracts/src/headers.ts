/** Version of the order event's JSON schema, sent in the x-event-version header. */
export const ORDER_EVENT_VERSION = '1';

/** Header names carried by every order record. */
export const OrderHeader = {
  CorrelationId: 'x-correlation-id',
  EventVersion: 'x-event-version',
} as const;

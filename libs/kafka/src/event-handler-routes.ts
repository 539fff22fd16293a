import type { HandlerKind } from './on-event.decorator';

/** One declared handler method, bound to its instance. */
export interface DeclaredHandler {
  /** `Class.method`, for error messages. */
  name: string;
  kind: HandlerKind;
  topic: string;
  /** '' for the service's own consumer group. */
  group: string;
  handle: (...args: never[]) => Promise<unknown>;
}

/**
 * Consumer group → topic → its one handler. Two handlers of one topic in one group would each
 * see only part of the messages (or one would silently win): that stops the start, naming the topic.
 */
export function routeHandlers(
  handlers: readonly DeclaredHandler[],
): Map<string, Map<string, DeclaredHandler>> {
  const groups = new Map<string, Map<string, DeclaredHandler>>();
  for (const handler of handlers) {
    const routes = groups.get(handler.group) ?? new Map<string, DeclaredHandler>();
    groups.set(handler.group, routes);
    const taken = routes.get(handler.topic);
    if (taken) {
      const group = handler.group
        ? `consumer group "${handler.group}"`
        : 'the service consumer group';
      throw new Error(
        `${handler.topic} has two handlers in ${group}: ${taken.name} and ${handler.name}`,
      );
    }
    routes.set(handler.topic, handler);
  }
  return groups;
}

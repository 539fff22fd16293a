import { Injectable } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { Topic, type EventOf } from '@curation/contracts';
import { APP_CONFIG } from '@curation/platform';
import { EventConsumer } from './event-consumer';
import { EventHandlerExplorer, eventConsumerToken } from './event-handler.explorer';
import { routeHandlers, type DeclaredHandler } from './event-handler-routes';
import { OnEvent, OnEventBatch, OnRawMessage } from './on-event.decorator';

function recordingConsumer() {
  const routes: Array<[kind: string, topic: string]> = [];
  const handlers = new Map<string, (event: unknown) => Promise<void>>();
  const consumer = {
    subscribe: (topic: string, handle: (event: unknown) => Promise<void>) => {
      handlers.set(topic, handle);
      routes.push(['message', topic]);
    },
    subscribeBatch: (topic: string) => routes.push(['batch', topic]),
    subscribeRaw: (topic: string) => routes.push(['raw', topic]),
  };
  return { routes, handlers, consumer };
}

interface Config {
  CONSUME_REMOVED: boolean;
}

@Injectable()
class StageService {
  readonly received: string[] = [];

  @OnEvent(Topic.ItemReceived)
  async onReceived(event: EventOf<typeof Topic.ItemReceived>): Promise<void> {
    this.received.push(event.itemId);
  }

  @OnEventBatch(Topic.ItemImaged)
  async onImaged(): Promise<never[]> {
    return [];
  }

  @OnRawMessage(['a.dlq', 'b.dlq'])
  async onDeadLetter(): Promise<void> {}

  @OnEvent<Config>(Topic.ItemRemoved, { when: (config) => config.CONSUME_REMOVED })
  async onRemoved(): Promise<void> {}

  @OnEvent(Topic.ItemFailed, { group: 'write-back' })
  async onFailed(): Promise<void> {}
}

@Injectable()
class SecondReceivedHandler {
  @OnEvent(Topic.ItemReceived)
  async alsoReceived(): Promise<void> {}
}

async function start(providers: Array<new (...args: never[]) => unknown>, config: Config) {
  const service = recordingConsumer();
  const writeBack = recordingConsumer();
  const moduleRef = await Test.createTestingModule({
    imports: [DiscoveryModule],
    providers: [
      EventHandlerExplorer,
      ...providers,
      { provide: EventConsumer, useValue: service.consumer },
      { provide: eventConsumerToken('write-back'), useValue: writeBack.consumer },
      { provide: APP_CONFIG, useValue: config },
    ],
  }).compile();
  await moduleRef.init();
  return {
    moduleRef,
    service: service.routes,
    writeBack: writeBack.routes,
    handlers: service.handlers,
  };
}

describe('EventHandlerExplorer', () => {
  it('subscribes each declared method to its topics, in its consumer group', async () => {
    const { service, writeBack } = await start([StageService], { CONSUME_REMOVED: true });
    expect(service).toEqual([
      ['message', Topic.ItemReceived],
      ['batch', Topic.ItemImaged],
      ['raw', 'a.dlq'],
      ['raw', 'b.dlq'],
      ['message', Topic.ItemRemoved],
    ]);
    expect(writeBack).toEqual([['message', Topic.ItemFailed]]);
  });

  it('calls the method on its instance', async () => {
    const { moduleRef, handlers } = await start([StageService], { CONSUME_REMOVED: true });
    await handlers.get(Topic.ItemReceived)!({ itemId: 'item-1' });
    expect(moduleRef.get(StageService).received).toEqual(['item-1']);
  });

  it('calls a method a test replaced on the instance before the start', async () => {
    const service = recordingConsumer();
    const moduleRef = await Test.createTestingModule({
      imports: [DiscoveryModule],
      providers: [
        EventHandlerExplorer,
        StageService,
        { provide: EventConsumer, useValue: service.consumer },
        { provide: eventConsumerToken('write-back'), useValue: recordingConsumer().consumer },
        { provide: APP_CONFIG, useValue: { CONSUME_REMOVED: false } },
      ],
    }).compile();
    const seen: string[] = [];
    moduleRef.get(StageService).onReceived = async (event) => void seen.push(event.itemId);
    await moduleRef.init();
    await service.handlers.get(Topic.ItemReceived)!({ itemId: 'item-2' });
    expect(seen).toEqual(['item-2']);
  });

  it('leaves out a handler its configuration turns off', async () => {
    const { service } = await start([StageService], { CONSUME_REMOVED: false });
    expect(service.map(([, topic]) => topic)).not.toContain(Topic.ItemRemoved);
  });

  it('fails the start when two methods handle one topic, naming the topic and both', async () => {
    await expect(
      start([StageService, SecondReceivedHandler], { CONSUME_REMOVED: true }),
    ).rejects.toThrow(
      `${Topic.ItemReceived} has two handlers in the service consumer group: StageService.onReceived and SecondReceivedHandler.alsoReceived`,
    );
  });
});

describe('routeHandlers', () => {
  const handler = (name: string, topic: string, group = ''): DeclaredHandler => ({
    name,
    kind: 'message',
    topic,
    group,
    handle: () => Promise.resolve(),
  });

  it('allows one topic once per consumer group', () => {
    const routes = routeHandlers([handler('A.x', 't'), handler('B.y', 't', 'write-back')]);
    expect(routes.get('')?.get('t')?.name).toBe('A.x');
    expect(routes.get('write-back')?.get('t')?.name).toBe('B.y');
  });

  it('refuses a second handler of a topic in the same group', () => {
    expect(() =>
      routeHandlers([handler('A.x', 't', 'g'), handler('A.z', 'u', 'g'), handler('B.y', 't', 'g')]),
    ).toThrow('t has two handlers in consumer group "g": A.x and B.y');
  });
});

import { kafkaServer } from '../../../infra/src/kafka.server';
import { PrivateServer } from './private-server';

/**
 * A Kafka broker of this test alone. The shared broker serves other engineers' tests, so
 * crashing it would break them: this one can be killed and started again on the same ports,
 * keeping its data, as often as a test likes.
 */
export class PrivateKafka extends PrivateServer {
  constructor() {
    super(kafkaServer);
  }

  /** SIGTERM (SIGKILL after the runner's grace period), then the same broker again. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}

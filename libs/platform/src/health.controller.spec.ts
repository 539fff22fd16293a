import { HttpException } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { ReadinessRegistry } from './readiness.registry';

describe('HealthController: readiness names the dependency, not its address', () => {
  async function readinessAnswer(checks: Record<string, () => Promise<void>>): Promise<string> {
    const moduleRef = await Test.createTestingModule({
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [ReadinessRegistry],
    }).compile();
    moduleRef.useLogger(false);
    const registry = moduleRef.get(ReadinessRegistry);
    for (const [name, check] of Object.entries(checks)) registry.register(name, check);
    try {
      return JSON.stringify(await moduleRef.get(HealthController).ready());
    } catch (error) {
      return JSON.stringify((error as HttpException).getResponse());
    }
  }

  it('answers with the name of the dependency that is down, without its error text', async () => {
    const answer = await readinessAnswer({
      redis: () => Promise.reject(new Error('connect ECONNREFUSED 10.1.2.3:6379')),
      opensearch: () =>
        Promise.reject(new Error('getaddrinfo ENOTFOUND opensearch.internal:9200 (::1)')),
      kafka: () => Promise.resolve(),
    });
    expect(answer).toMatch(/"redis":\{"message":"redis: unavailable","status":"down"\}/);
    expect(answer).toMatch(/"opensearch":\{"message":"opensearch: unavailable","status":"down"\}/);
    expect(answer).toMatch(/"kafka":\{"status":"up"/);
    expect(answer).not.toMatch(/10\.1\.2\.3|6379|ECONNREFUSED|ENOTFOUND|opensearch\.internal|::1/);
  });
});

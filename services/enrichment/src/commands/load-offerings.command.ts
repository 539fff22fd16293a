import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { baseFields, kafkaFields, loadConfig } from '@curation/config';
import { Topic, offeringEventKey, type OfferingUpsertedData } from '@curation/contracts';
import { EventPublisher, KafkaModule, kafkaOptionsFrom } from '@curation/kafka';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { parseOfferingLine } from '../utils/offering-lines.util';

const BATCH_SIZE = 500;
const commandConfigSchema = z.object({ ...baseFields, ...kafkaFields });

/**
 * `npx tsx services/enrichment/src/commands/load-offerings.command.ts <file.ndjson>`: publishes one
 * `offering.upserted` event per line, as ingestion's POST /v1/offerings does. Invalid lines are
 * reported and skipped; the exit code is 1 when any line was invalid.
 */
async function main(file: string | undefined): Promise<number> {
  if (!file) {
    console.error('usage: load-offerings.command.ts <file.ndjson>');
    return 2;
  }
  const config = loadConfig(commandConfigSchema);

  @Module({
    imports: [
      KafkaModule.forRootAsync({ useFactory: () => kafkaOptionsFrom(config, 'offering-loader') }),
    ],
  })
  class LoadOfferingsModule {}

  const app = await NestFactory.createApplicationContext(LoadOfferingsModule, {
    logger: ['error', 'warn'],
  });
  const publisher = app.get(EventPublisher);
  const revision = Date.now();
  let batch: OfferingUpsertedData[] = [];
  let published = 0;
  let invalid = 0;
  const flush = async (): Promise<void> => {
    await publisher.publishMany(
      Topic.OfferingUpserted,
      batch.map((offering) => ({
        itemId: offeringEventKey(offering.offeringId),
        revision,
        data: offering,
      })),
    );
    published += batch.length;
    batch = [];
  };
  try {
    let line = 0;
    for await (const text of createInterface({
      input: createReadStream(file),
      crlfDelay: Infinity,
    })) {
      const parsed = parseOfferingLine(text, ++line);
      if (!parsed) continue;
      if (!parsed.ok) {
        invalid++;
        console.error(`line ${parsed.line}: ${parsed.reason}`);
        continue;
      }
      batch.push(parsed.offering);
      if (batch.length >= BATCH_SIZE) await flush();
    }
    if (batch.length > 0) await flush();
  } finally {
    await app.close();
  }
  console.log(
    `published ${published} offering(s)${invalid ? `, skipped ${invalid} invalid line(s)` : ''}`,
  );
  return invalid > 0 ? 1 : 0;
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`load-offerings failed: ${error.message}`);
    process.exit(1);
  },
);

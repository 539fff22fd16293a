import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Post,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import { SubmissionService } from '../services/submission.service';
import { serviceUnavailable } from './service-unavailable';

/** A timed-out write may still land once Kafka is back; resending is safe, downstream writes are idempotent. */
const RESEND = 'send the same request again after Retry-After';

@Controller('v1')
export class SubmissionController {
  constructor(private readonly submissions: SubmissionService) {}

  /** `{url, topics, imageUrl?, title?, description?}` → 202 `{ itemId, revision }`. */
  @Post('items')
  @HttpCode(HttpStatus.ACCEPTED)
  async submitItem(@Body() body: unknown, @Res({ passthrough: true }) response: Response) {
    const outcome = await this.submissions.submitItem(body);
    if (outcome.kind === 'invalid') {
      throw new BadRequestException({ message: 'invalid submission', problems: outcome.problems });
    }
    if (outcome.kind === 'unavailable') {
      throw serviceUnavailable(
        response,
        `the item could not be stored (Kafka: ${outcome.reason}); ${RESEND}`,
      );
    }
    return outcome.value;
  }

  /** A JSON array of `{offeringId, label, permalink, categories, description}` → 202. */
  @Post('offerings')
  @HttpCode(HttpStatus.ACCEPTED)
  async submitOfferings(@Body() body: unknown, @Res({ passthrough: true }) response: Response) {
    const outcome = await this.submissions.submitOfferings(body);
    if (outcome.kind === 'invalid') {
      throw new BadRequestException({ message: 'invalid offerings', problems: outcome.problems });
    }
    if (outcome.kind === 'unavailable') {
      throw serviceUnavailable(
        response,
        `the offerings could not be stored (Kafka: ${outcome.reason}); ${RESEND}`,
      );
    }
    return outcome.value;
  }
}

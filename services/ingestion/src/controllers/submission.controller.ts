import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Post,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { offeringUpsertedDataSchema } from '@curation/contracts';
import { ApiBadRequest, ApiZodBody } from '@curation/platform';
import type { Response } from 'express';
import { z } from 'zod';
import { SubmissionService, submissionSchema } from '../services/submission.service';
import { serviceUnavailable } from './service-unavailable';

/** A timed-out write may still land once Kafka is back; resending is safe, downstream writes are idempotent. */
const RESEND = 'send the same request again after Retry-After';

@ApiTags('submissions')
@ApiBearerAuth()
@ApiUnauthorizedResponse({
  description: 'INGESTION_API_TOKEN is set and the bearer token is missing or wrong',
})
@ApiServiceUnavailableResponse({ description: `Kafka is unavailable: ${RESEND}` })
@Controller('v1')
export class SubmissionController {
  constructor(private readonly submissions: SubmissionService) {}

  /** `{url, topics, imageUrl?, title?, description?, priority?}` → 202 `{ itemId, revision }`. */
  @Post('items')
  @ApiOperation({ summary: 'Submit an article URL to curate' })
  @ApiZodBody(submissionSchema)
  @ApiAcceptedResponse({
    description: 'Stored; the pipeline runs from here',
    schema: {
      type: 'object',
      properties: { itemId: { type: 'string', format: 'uuid' }, revision: { type: 'integer' } },
    },
  })
  @ApiBadRequest('invalid submission (`problems` lists them)')
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
  @ApiOperation({ summary: 'Create or update offerings that items link to' })
  @ApiZodBody(z.array(offeringUpsertedDataSchema))
  @ApiAcceptedResponse({ description: 'Stored' })
  @ApiBadRequest('invalid offerings (`problems` lists them)')
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

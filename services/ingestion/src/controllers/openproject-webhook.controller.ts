import {
  BadRequestException,
  Body,
  Controller,
  Headers,
  HttpCode,
  HttpStatus,
  Post,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiHeader,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ApiBadRequest } from '@curation/platform';
import type { Response } from 'express';
import { WebhookIntakeService } from '../services/webhook-intake.service';
import { serviceUnavailable } from './service-unavailable';

/** The route whose body main.ts keeps as raw bytes: the signature is checked on them first. */
export const OPENPROJECT_WEBHOOK_PATH = '/webhooks/openproject';

@ApiTags('webhooks')
@Controller('webhooks')
export class OpenProjectWebhookController {
  constructor(private readonly intake: WebhookIntakeService) {}

  /** 202 once the event is safely in Kafka (or deliberately ignored); OpenProject never re-sends. */
  @Post('openproject')
  @ApiOperation({
    summary: 'OpenProject work-package webhook',
    description:
      'Signed with OPENPROJECT_WEBHOOK_SECRET; the signature is checked on the raw body.',
  })
  @ApiHeader({ name: 'X-OP-Signature', description: 'sha1=<HMAC of the raw body>', required: true })
  @ApiBody({
    description: 'The webhook payload as OpenProject sends it',
    schema: { type: 'object' },
  })
  @ApiAcceptedResponse({ description: 'Stored in Kafka, or deliberately ignored (`status`)' })
  @ApiUnauthorizedResponse({ description: 'Missing or invalid X-OP-Signature' })
  @ApiBadRequest('a malformed webhook')
  @ApiServiceUnavailableResponse({
    description: 'Kafka is unavailable; the reconciliation sweep picks the change up',
  })
  @HttpCode(HttpStatus.ACCEPTED)
  async receive(
    @Body() body: unknown,
    @Headers('x-op-signature') signature: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    // Anything but raw bytes means no raw parser ran: treated as empty, so it cannot verify.
    const rawBody = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    const outcome = await this.intake.receive(rawBody, signature);
    switch (outcome.kind) {
      case 'unauthorized':
        throw new UnauthorizedException('missing or invalid X-OP-Signature');
      case 'unavailable':
        // OpenProject never re-sends a non-2xx answer: the reconciliation sweep finds the change.
        throw serviceUnavailable(
          response,
          `the event could not be stored (Kafka: ${outcome.reason}); the reconciliation sweep will pick the change up`,
        );
      case 'malformed':
        throw new BadRequestException({ message: 'malformed webhook', problems: outcome.problems });
      case 'ignored':
        return { status: 'ignored', reason: outcome.reason };
      case 'accepted':
        return { status: 'accepted', itemId: outcome.itemId };
    }
  }
}

import {
  BadRequestException,
  Controller,
  Headers,
  HttpCode,
  HttpStatus,
  Post,
  Req,
  ServiceUnavailableException,
  UnauthorizedException,
  type RawBodyRequest,
} from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { WebhookIntakeService } from '../services/webhook-intake.service';

@Controller('webhooks')
export class OpenProjectWebhookController {
  constructor(private readonly intake: WebhookIntakeService) {}

  /** 202 once the event is safely in Kafka (or deliberately ignored); OpenProject never re-sends. */
  @Post('openproject')
  @HttpCode(HttpStatus.ACCEPTED)
  async receive(
    @Req() request: RawBodyRequest<IncomingMessage>,
    @Headers('x-op-signature') signature: string | undefined,
  ) {
    const outcome = await this.intake.receive(request.rawBody ?? Buffer.alloc(0), signature);
    switch (outcome.kind) {
      case 'unauthorized':
        throw new UnauthorizedException('missing or invalid X-OP-Signature');
      case 'unavailable':
        throw new ServiceUnavailableException('the event could not be stored; try again');
      case 'malformed':
        throw new BadRequestException({ message: 'malformed webhook', problems: outcome.problems });
      case 'ignored':
        return { status: 'ignored', reason: outcome.reason };
      case 'accepted':
        return { status: 'accepted', itemId: outcome.itemId };
    }
  }
}

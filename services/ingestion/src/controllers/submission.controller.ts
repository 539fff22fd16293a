import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ApiTokenGuard } from '../guards/api-token.guard';
import { SubmissionService } from '../services/submission.service';

@Controller('v1')
@UseGuards(ApiTokenGuard)
export class SubmissionController {
  constructor(private readonly submissions: SubmissionService) {}

  /** `{url, topics, imageUrl?, title?, description?}` → 202 `{ itemId }`. */
  @Post('items')
  @HttpCode(HttpStatus.ACCEPTED)
  async submitItem(@Body() body: unknown) {
    const outcome = await this.submissions.submitItem(body);
    if (outcome.kind === 'invalid') {
      throw new BadRequestException({ message: 'invalid submission', problems: outcome.problems });
    }
    return outcome.value;
  }

  /** A JSON array of `{offeringId, label, permalink, categories, description}` → 202. */
  @Post('offerings')
  @HttpCode(HttpStatus.ACCEPTED)
  async submitOfferings(@Body() body: unknown) {
    const outcome = await this.submissions.submitOfferings(body);
    if (outcome.kind === 'invalid') {
      throw new BadRequestException({ message: 'invalid offerings', problems: outcome.problems });
    }
    return outcome.value;
  }
}

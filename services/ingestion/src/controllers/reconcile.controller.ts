import { ConflictException, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ReconciliationService } from '../services/reconciliation.service';

@ApiTags('operations')
@ApiBearerAuth()
@ApiUnauthorizedResponse({
  description: 'INGESTION_API_TOKEN is set and the bearer token is missing or wrong',
})
@Controller('v1')
export class ReconcileController {
  constructor(private readonly reconciliation: ReconciliationService) {}

  /** Runs a reconciliation sweep now and answers with its report. */
  @Post('reconcile')
  @ApiOperation({ summary: 'Run a reconciliation sweep against OpenProject now' })
  @ApiOkResponse({ description: 'The sweep report' })
  @ApiConflictResponse({ description: 'A sweep is already running' })
  @HttpCode(HttpStatus.OK)
  async reconcile() {
    const result = await this.reconciliation.sweep();
    if (result.status === 'already-running')
      throw new ConflictException('a sweep is already running');
    return result;
  }
}

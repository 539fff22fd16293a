import { ConflictException, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ReconciliationService } from '../services/reconciliation.service';

@Controller('v1')
export class ReconcileController {
  constructor(private readonly reconciliation: ReconciliationService) {}

  /** Runs a reconciliation sweep now and answers with its report. */
  @Post('reconcile')
  @HttpCode(HttpStatus.OK)
  async reconcile() {
    const result = await this.reconciliation.sweep();
    if (result.status === 'already-running')
      throw new ConflictException('a sweep is already running');
    return result;
  }
}

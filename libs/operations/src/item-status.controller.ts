import {
  BadRequestException,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { z } from 'zod';
import { ITEM_STATES, type ItemStatus } from './item-status';
import { ItemOperationsService } from './item-operations.service';
import { ItemStatusService } from './item-status.service';

const listQuery = z.union([
  z.strictObject({ workPackageId: z.coerce.number().int().positive() }),
  z.strictObject({
    state: z.enum(ITEM_STATES),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  }),
]);

function parseItemId(itemId: string): string {
  if (!z.uuid().safeParse(itemId).success) throw new BadRequestException('itemId must be a UUID');
  return itemId;
}

@Controller('v1/items')
export class ItemStatusController {
  constructor(
    private readonly status: ItemStatusService,
    private readonly operations: ItemOperationsService,
  ) {}

  /** `?state=failed[&limit=]`, or `?workPackageId=7614`: the items of that work package. */
  @Get()
  async list(@Query() query: Record<string, string>): Promise<{ items: ItemStatus[] }> {
    const parsed = listQuery.safeParse(query);
    if (!parsed.success) {
      throw new BadRequestException([
        'give either state (and limit) or workPackageId',
        ...parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
      ]);
    }
    const items =
      'workPackageId' in parsed.data
        ? await this.status.findByWorkPackage(parsed.data.workPackageId)
        : await this.status.list(parsed.data.state, parsed.data.limit);
    return { items };
  }

  @Get(':itemId')
  async get(@Param('itemId') itemId: string): Promise<ItemStatus> {
    const status = await this.status.get(parseItemId(itemId));
    if (!status) throw new NotFoundException(`no item ${itemId}`);
    return status;
  }

  /** 202 with the status of the new attempt; 409 with the current status when not failed. */
  @Post(':itemId/retry')
  @HttpCode(HttpStatus.ACCEPTED)
  async retry(@Param('itemId') itemId: string): Promise<ItemStatus> {
    const outcome = await this.operations.retry(parseItemId(itemId));
    if (outcome.kind === 'unknown') throw new NotFoundException(`no item ${itemId}`);
    if (outcome.kind === 'conflict') {
      throw new ConflictException({
        statusCode: HttpStatus.CONFLICT,
        message: outcome.reason,
        status: outcome.status,
      });
    }
    return outcome.status;
  }

  /** Takedown: 202 `{itemId, revision}`; the status shows `removed` once it is done. */
  @Delete(':itemId')
  @HttpCode(HttpStatus.ACCEPTED)
  async remove(@Param('itemId') itemId: string): Promise<{ itemId: string; revision: number }> {
    const outcome = await this.operations.remove(parseItemId(itemId));
    if (outcome.kind === 'unknown') throw new NotFoundException(`no item ${itemId}`);
    return { itemId: outcome.itemId, revision: outcome.revision };
  }
}

import {
  BadRequestException,
  Controller,
  Get,
  NotFoundException,
  Param,
  Query,
} from '@nestjs/common';
import { z } from 'zod';
import { ITEM_STATES, type ItemStatus } from './item-status';
import { ItemStatusService } from './item-status.service';

const listQuery = z.object({
  state: z.enum(ITEM_STATES),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

@Controller('v1/items')
export class ItemStatusController {
  constructor(private readonly status: ItemStatusService) {}

  @Get()
  async list(@Query() query: Record<string, string>): Promise<{ items: ItemStatus[] }> {
    const parsed = listQuery.safeParse(query);
    if (!parsed.success) {
      throw new BadRequestException(
        parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
      );
    }
    return { items: await this.status.list(parsed.data.state, parsed.data.limit) };
  }

  @Get(':itemId')
  async get(@Param('itemId') itemId: string): Promise<ItemStatus> {
    if (!z.uuid().safeParse(itemId).success) throw new BadRequestException('itemId must be a UUID');
    const status = await this.status.get(itemId);
    if (!status) throw new NotFoundException(`no item ${itemId}`);
    return status;
  }
}

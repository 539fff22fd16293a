import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import basicAuth from 'express-basic-auth';
import type { RequestHandler } from 'express';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/** Bull Board over every pipeline queue, behind basic-auth credentials from configuration. */
export function queueDashboard(queues: Queue[], user: string, password: string): RequestHandler[] {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue)), serverAdapter });
  return [
    basicAuth({ users: { [user]: password }, challenge: true, realm: 'curation-queues' }),
    serverAdapter.getRouter() as RequestHandler,
  ];
}

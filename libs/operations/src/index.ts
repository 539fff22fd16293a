export * from './pipeline-backlog';

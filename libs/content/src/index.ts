export * from './article-html';
export * from './slugify';

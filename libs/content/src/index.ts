export * from './article-html';
export * from './front-matter-key';
export * from './front-matter-yaml';
export * from './markdown-inert-html';
export * from './slugify';
export * from './front-matter-page-keys';

/** The pool's worker entry: piscina calls the export named by each task. */
export { extractPageBody as body, extractPageMetadata as metadata } from '../utils/page-extraction';

import { v5 as uuidv5 } from 'uuid';

/** Fixed namespace of this pipeline: changing it would re-key every published document. */
export const ITEM_ID_NAMESPACE = '9a0d7c2e-1f36-5b8e-8a57-3c1d2f4e6b70';

/**
 * Namespace of items submitted by URL, apart from work packages: a submission of a work
 * package's API URL must not land on (and overwrite) that work package's item.
 */
export const SUBMISSION_ID_NAMESPACE = '725f0bca-8b62-5a8f-a8dc-e5ba3b609579';

/** Deterministic id of an OpenProject work package, so replays land on the same document. */
export function itemIdForWorkPackage(openProjectBaseUrl: string, workPackageId: number): string {
  const base = openProjectBaseUrl.replace(/\/+$/, '');
  return uuidv5(`${base}/api/v3/work_packages/${workPackageId}`, ITEM_ID_NAMESPACE);
}

/** Deterministic id of an item submitted by URL (pass the canonicalised URL). */
export function itemIdForUrl(canonicalUrl: string): string {
  return uuidv5(canonicalUrl, SUBMISSION_ID_NAMESPACE);
}

export function offeringEventKey(offeringId: number): string {
  return uuidv5(`offering:${offeringId}`, ITEM_ID_NAMESPACE);
}

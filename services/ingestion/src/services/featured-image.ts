import type { OpenProjectAttachment } from '@curation/openproject';

const IMAGE_CONTENT_TYPE = /^image\//i;

function newest(attachments: OpenProjectAttachment[]): OpenProjectAttachment | undefined {
  return attachments.reduce<OpenProjectAttachment | undefined>(
    (best, candidate) => (best === undefined || candidate.id > best.id ? candidate : best),
    undefined,
  );
}

/**
 * The attachment to use as the featured image: an image whose file name contains the first
 * preferred word that matches any (editors replace an image by uploading a new one, so the
 * newest wins), else the newest image.
 */
export function chooseFeaturedImage(
  attachments: OpenProjectAttachment[],
  preferredNames: string[],
): OpenProjectAttachment | undefined {
  const images = attachments.filter((attachment) =>
    IMAGE_CONTENT_TYPE.test(attachment.contentType),
  );
  for (const name of preferredNames) {
    const wanted = name.toLowerCase();
    const preferred = images.filter((image) => image.fileName.toLowerCase().includes(wanted));
    if (preferred.length > 0) return newest(preferred);
  }
  return newest(images);
}

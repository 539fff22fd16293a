import { attachmentSchema, type OpenProjectAttachment } from '@curation/openproject';
import { chooseFeaturedImage } from './featured-image';

function attachment(id: number, fileName: string, contentType: string): OpenProjectAttachment {
  return attachmentSchema.parse({
    id,
    fileName,
    contentType,
    fileSize: 1000,
    _links: { staticDownloadLocation: { href: `/api/v3/attachments/${id}/content` } },
  });
}

describe('chooseFeaturedImage', () => {
  const pdf = attachment(10, 'featured-report.pdf', 'application/pdf');
  const photo = attachment(11, 'photo.png', 'image/png');
  const featured = attachment(12, 'Curated_Featured_Image.jpg', 'image/jpeg');
  const newerPhoto = attachment(13, 'other.webp', 'image/webp');

  it('prefers an image whose name contains a preferred word, case-insensitively', () => {
    expect(chooseFeaturedImage([pdf, photo, featured, newerPhoto], ['featured'])?.id).toBe(12);
  });

  it('follows the order of the preferred words', () => {
    expect(chooseFeaturedImage([photo, featured], ['photo', 'featured'])?.id).toBe(11);
  });

  it('takes the newest among several preferred images', () => {
    const replacement = attachment(20, 'featured-v2.jpg', 'image/jpeg');
    expect(chooseFeaturedImage([featured, replacement], ['featured'])?.id).toBe(20);
  });

  it('falls back to the newest image and ignores non-images even when their name matches', () => {
    expect(chooseFeaturedImage([pdf, photo, newerPhoto], ['featured'])?.id).toBe(13);
  });

  it('gives nothing without images', () => {
    expect(chooseFeaturedImage([pdf], ['featured'])).toBeUndefined();
    expect(chooseFeaturedImage([], ['featured'])).toBeUndefined();
  });
});

// A subpath of its own (`@curation/testing/photo-images`): it loads sharp, which most tests never need.
export * from '../../../test/support/photo-images';

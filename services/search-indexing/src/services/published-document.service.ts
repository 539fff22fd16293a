import {
  ARTICLE_ALLOWED_ATTRIBUTES,
  ARTICLE_ALLOWED_SCHEMES,
  ARTICLE_ALLOWED_TAGS,
  frontMatterKey,
  markdownInertHtml,
  slugify,
} from '@curation/content';
import { Inject, Injectable } from '@nestjs/common';
import type { FeaturedImage, ItemImagedData, OfferingLink } from '@curation/contracts';
import { markdownKey } from '@curation/storage';
import sanitizeHtml from 'sanitize-html';
import { stringify } from 'yaml';
import {
  DEFAULT_CONTENT_TYPE,
  type ContentType,
  type ContentTypeSettings,
} from '../config/content-types.config';
import type { FrontMatter, FrontMatterImage, PublishedDocument } from './published-document.types';

export const CONTENT_TYPE_SETTINGS = Symbol('CONTENT_TYPE_SETTINGS');

export interface PublishableItem {
  itemId: string;
  revision: number;
  data: ItemImagedData;
}

/** The body is sanitised again before it is published, with the same allow-list as enrichment. */
const BODY_SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ARTICLE_ALLOWED_TAGS,
  allowedAttributes: ARTICLE_ALLOWED_ATTRIBUTES,
  allowedSchemes: ARTICLE_ALLOWED_SCHEMES,
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
};

const YAML_OPTIONS = {
  // Every string value double-quoted: no YAML reader (1.1 or 1.2) can take it for a date,
  // boolean or number. Keys stay plain, as the site's templates and people read them.
  defaultStringType: 'QUOTE_DOUBLE',
  defaultKeyType: 'PLAIN',
  doubleQuotedAsJSON: true,
  lineWidth: 0,
  // Never `&anchor`/`*alias`, even when two fields hold the same array.
  aliasDuplicateObjects: false,
} as const;

/** The reference document keeps the Twitter card only in `twitterMetaData`, not in `htmlMetaData`. */
function withoutTwitterCard(meta: Record<string, string | null>): Record<string, string | null> {
  return Object.fromEntries(Object.entries(meta).filter(([key]) => !key.startsWith('twitter')));
}

/** Enrichment publishes only safe page keys; events written before that rule are held to it here. */
function withSafeKeys(meta: Record<string, string | null>): Record<string, string | null> {
  return Object.fromEntries(Object.entries(meta).filter(([key]) => frontMatterKey(key) === key));
}

export function documentKeyFor(itemId: string): string {
  return markdownKey(itemId);
}

/** Turns a finished item into its Markdown document and its search document; pure. */
@Injectable()
export class PublishedDocumentService {
  constructor(
    @Inject(CONTENT_TYPE_SETTINGS)
    private readonly contentTypes: Record<ContentType, ContentTypeSettings>,
  ) {}

  contentTypeOf(data: ItemImagedData): ContentType {
    const typeName = data.workPackage?.typeName;
    const match = Object.entries(this.contentTypes).find(
      ([, settings]) => settings.openProjectWorkPackageType === typeName,
    );
    return (match?.[0] as ContentType | undefined) ?? DEFAULT_CONTENT_TYPE;
  }

  /** The search document; the Markdown is rendered from it separately (see `markdown`). */
  build(item: PublishableItem): PublishedDocument {
    const contentType = this.contentTypeOf(item.data);
    const frontMatter = this.frontMatter(item, this.contentTypes[contentType]);
    const body = this.body(item.data);
    return {
      itemId: item.itemId,
      revision: item.revision,
      documentKey: frontMatter.mdName,
      search: {
        itemId: item.itemId,
        revision: item.revision,
        contentType,
        workPackageId: frontMatter.id,
        title: frontMatter.title,
        description: frontMatter.description,
        body,
        categories: frontMatter.categories,
        categoryLabels: frontMatter.categoryLabel,
        brand: frontMatter.link.brand,
        offeringIds: frontMatter.relatedOfferings.map((offering) => String(offering.offeringId)),
        url: frontMatter.href,
        slug: frontMatter.slug,
        documentKey: frontMatter.mdName,
        imageKey: frontMatter.featuredImage.href ?? null,
        date: frontMatter.date,
        lastMod: frontMatter.lastMod,
        frontMatter,
      },
    };
  }

  /** YAML front matter, then the sanitised body. */
  markdown(document: PublishedDocument): string {
    const { frontMatter, body } = document.search;
    return `---\n${stringify(frontMatter, YAML_OPTIONS)}---\n${body}\n`;
  }

  /**
   * Entities are decoded before sanitising (so an encoded `javascript:` href is seen), and the
   * result made Markdown-inert: one HTML block, no Markdown or shortcode syntax in its text.
   */
  body(data: ItemImagedData): string {
    return markdownInertHtml(
      sanitizeHtml(data.descriptionHtml || data.article.bodyHtml, BODY_SANITIZE_OPTIONS),
    );
  }

  private frontMatter(item: PublishableItem, type: ContentTypeSettings): FrontMatter {
    const { data } = item;
    const title = data.title ?? data.article.title;
    const workPackageId = data.workPackage?.id ?? null;
    return {
      aliases: `${type.basePath}${slugify(title)}`,
      archetype: type.archetype,
      author: data.page.authors,
      basePath: type.basePath,
      breadcrumbLinks: [type.homePath, type.basePath, ''],
      breadcrumbs: [type.homeLabel, type.category, title],
      categories: data.topics,
      categorySlug: data.topics.map((topic) => topic.toLowerCase()),
      categoryUrl: data.topics.map((topic) => `topic/${slugify(topic)}`),
      categoryLabel: data.topics.map(categoryLabel),
      contentCategories: type.contentCategories,
      institution: type.institution,
      offering: type.offering,
      layOut: type.layOut,
      // The date as the upstream tool wrote it, not shifted to UTC.
      date: data.updatedAt.slice(0, 10),
      description: data.article.description,
      favIconImage: type.favIconImage,
      featuredImage: featuredImage(data.featuredImage, title, workPackageId),
      featuredPdf: type.featuredPdf,
      htmlMetaData: withSafeKeys(withoutTwitterCard(data.page.htmlMetaData)),
      id: workPackageId,
      identifier: type.category,
      lastMod: data.updatedAt,
      link: { brand: data.derived.brand, href: data.url, original: data.originalUrl },
      href: data.url,
      original: data.originalUrl,
      mastHead: type.mastHead,
      mdName: documentKeyFor(item.itemId),
      openGraphMetaData: withSafeKeys(data.page.openGraphMetaData),
      openProjectCustomFields: data.customFields,
      openProjectWorkPackageType: type.openProjectWorkPackageType,
      searchCategory: type.category,
      slug: data.derived.slug,
      source: type.source,
      status: type.status,
      sub: type.sub,
      tags: [type.category],
      title,
      via: type.via,
      insights_description: type.insightsDescription,
      insights_name: type.insightsName,
      viaLink: type.viaLink,
      relatedOfferings: data.relatedOfferings.map(offeringLink),
      twitterMetaData: withSafeKeys(data.page.twitterMetaData),
    };
  }
}

function categoryLabel(topic: string): string {
  const separator = topic.indexOf(': ');
  return separator === -1 ? topic : topic.slice(separator + 2);
}

function offeringLink(offering: OfferingLink): OfferingLink {
  return {
    label: offering.label,
    permalink: offering.permalink,
    categories: offering.categories,
    offeringId: offering.offeringId,
  };
}

function featuredImage(
  image: FeaturedImage,
  alt: string,
  workPackage: number | null,
): FrontMatterImage {
  const main = image.main;
  const href = image.href ?? main?.key;
  if (!image.valid || !href) return { alt, valid: false, workPackage };
  const size = image.size ?? (main ? ([main.height, main.width] as [number, number]) : undefined);
  return {
    alt,
    format: image.format ?? main?.format.toUpperCase(),
    href,
    size,
    valid: true,
    workPackage,
    wpAttachment: image.wpAttachment
      ? { fileName: image.wpAttachment.fileName, link: image.wpAttachment.link }
      : undefined,
    source: image.attachmentUnused ? 'page' : undefined,
  };
}

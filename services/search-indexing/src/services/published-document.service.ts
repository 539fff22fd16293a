import {
  ARTICLE_ALLOWED_ATTRIBUTES,
  ARTICLE_ALLOWED_SCHEMES,
  ARTICLE_ALLOWED_TAGS,
  frontMatterKey,
  frontMatterYaml,
  markdownInertHtml,
  slugify,
} from '@curation/content';
import { Inject, Injectable } from '@nestjs/common';
import type { FeaturedImage, ItemImagedData, OfferingLink } from '@curation/contracts';
import { markdownKey } from '@curation/storage';
import sanitizeHtml from 'sanitize-html';
import {
  chooseContentType,
  type ContentTypeCatalog,
  type ContentTypeSettings,
} from '../config/content-types.config';
import type {
  FrontMatter,
  FrontMatterImage,
  PublishedDocument,
  SearchDocument,
} from './published-document.types';

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

/** The front-matter fields an item's content type decides; all others come from the item. */
export type ContentTypeFields = Pick<
  FrontMatter,
  | 'aliases'
  | 'archetype'
  | 'basePath'
  | 'breadcrumbLinks'
  | 'breadcrumbs'
  | 'contentCategories'
  | 'institution'
  | 'offering'
  | 'layOut'
  | 'favIconImage'
  | 'featuredPdf'
  | 'identifier'
  | 'mastHead'
  | 'openProjectWorkPackageType'
  | 'searchCategory'
  | 'source'
  | 'status'
  | 'sub'
  | 'tags'
  | 'via'
  | 'insights_description'
  | 'insights_name'
  | 'viaLink'
>;

/** Shared by `build` and `retype`, so a re-typed document is what a fresh build would give. */
function contentTypeFields(
  type: ContentTypeSettings,
  title: string,
  fromWorkPackage: boolean,
): ContentTypeFields {
  return {
    aliases: `${type.basePath}${slugify(title)}`,
    archetype: type.archetype,
    basePath: type.basePath,
    breadcrumbLinks: [type.homePath, type.basePath, ''],
    breadcrumbs: [type.homeLabel, type.category, title],
    contentCategories: type.contentCategories,
    institution: type.institution,
    offering: type.offering,
    layOut: type.layOut,
    favIconImage: type.favIconImage,
    featuredPdf: type.featuredPdf,
    identifier: type.category,
    mastHead: type.mastHead,
    openProjectWorkPackageType: fromWorkPackage ? type.openProjectWorkPackageType : null,
    searchCategory: type.category,
    source: fromWorkPackage ? type.source : type.submissionSource,
    status: type.status,
    sub: type.sub,
    tags: [type.category],
    via: type.via,
    insights_description: type.insightsDescription,
    insights_name: type.insightsName,
    viaLink: type.viaLink,
  };
}

/** Turns a finished item into its Markdown document and its search document; pure. */
@Injectable()
export class PublishedDocumentService {
  constructor(
    @Inject(CONTENT_TYPE_SETTINGS)
    private readonly contentTypes: ContentTypeCatalog,
  ) {}

  /** The key of the item's content type (see `chooseContentType`). */
  contentTypeOf(data: ItemImagedData): string {
    return chooseContentType(this.contentTypes, {
      source: data.source,
      topics: data.topics,
      workPackageTypeName: data.workPackage?.typeName,
    });
  }

  /** The search document; the Markdown is rendered from it separately (see `markdown`). */
  build(item: PublishableItem): PublishedDocument {
    const contentType = this.contentTypeOf(item.data);
    const frontMatter = this.frontMatter(item, this.contentTypes.types[contentType]);
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
        publishedAt: frontMatter.publishedAt,
        sortDate: frontMatter.publishedAt ?? frontMatter.lastMod,
        modifiedAt: frontMatter.modifiedAt,
        canonicalUrl: frontMatter.canonicalUrl,
        siteName: frontMatter.siteName,
        lang: frontMatter.lang,
        publisher: frontMatter.publisher,
        placeholder: frontMatter.featuredImagePlaceholder,
        dominantColor: frontMatter.featuredImageDominantColor,
        // The slow formats join later (`renditions-added`); the front matter names only the main one.
        renditions: item.data.featuredImage.valid ? item.data.featuredImage.renditions : [],
        frontMatter,
      },
    };
  }

  /**
   * The indexed document under the content type the current configuration chooses for it, with
   * that type's constants; every other field as stored. The index keeps the topics and the work
   * package id, not the work package's type name: the stored `openProjectWorkPackageType` (the
   * type name the document was published under) stands in for it.
   */
  retype(document: SearchDocument): SearchDocument {
    const { frontMatter } = document;
    const fromWorkPackage = typeof frontMatter.id === 'number';
    const contentType = chooseContentType(this.contentTypes, {
      source: fromWorkPackage ? 'openproject' : 'submission',
      topics: frontMatter.categories,
      workPackageTypeName: frontMatter.openProjectWorkPackageType ?? undefined,
    });
    const typed = contentTypeFields(
      this.contentTypes.types[contentType],
      frontMatter.title,
      fromWorkPackage,
    );
    // Spread over the stored object: the keys keep their places, so the YAML keeps its order.
    return { ...document, contentType, frontMatter: { ...frontMatter, ...typed } };
  }

  /** YAML front matter, then the sanitised body. */
  markdown(document: PublishedDocument): string {
    const { frontMatter, body } = document.search;
    return `---\n${frontMatterYaml(frontMatter)}---\n${body}\n`;
  }

  /**
   * Entities are decoded before sanitising (so an encoded `javascript:` href is seen), and the
   * result made Markdown-inert: one HTML block, no Markdown or shortcode syntax in its text.
   */
  body(data: ItemImagedData): string {
    // Enrichment chooses the body; `descriptionHtml` is read only from events it enriched before
    // it did (they carried the curator's description there and an empty body).
    return markdownInertHtml(
      sanitizeHtml(data.article.bodyHtml || data.descriptionHtml || '', BODY_SANITIZE_OPTIONS),
    );
  }

  private frontMatter(item: PublishableItem, type: ContentTypeSettings): FrontMatter {
    const { data } = item;
    const title = data.title ?? data.article.title;
    const workPackageId = data.workPackage?.id ?? null;
    const typed = contentTypeFields(type, title, data.source === 'openproject');
    const image = data.featuredImage.valid ? data.featuredImage : undefined;
    return {
      aliases: typed.aliases,
      archetype: typed.archetype,
      author: data.page.authors,
      basePath: typed.basePath,
      breadcrumbLinks: typed.breadcrumbLinks,
      breadcrumbs: typed.breadcrumbs,
      categories: data.topics,
      categorySlug: data.topics.map((topic) => topic.toLowerCase()),
      categoryUrl: data.topics.map((topic) => `topic/${slugify(topic)}`),
      categoryLabel: data.topics.map(categoryLabel),
      contentCategories: typed.contentCategories,
      institution: typed.institution,
      offering: typed.offering,
      layOut: typed.layOut,
      // The date as the upstream tool wrote it, not shifted to UTC.
      date: data.updatedAt.slice(0, 10),
      description: data.article.description,
      favIconImage: typed.favIconImage,
      featuredImage: featuredImage(data.featuredImage, title, workPackageId),
      featuredPdf: typed.featuredPdf,
      htmlMetaData: withSafeKeys(withoutTwitterCard(data.page.htmlMetaData)),
      id: workPackageId,
      identifier: typed.identifier,
      lastMod: data.updatedAt,
      link: { brand: data.derived.brand, href: data.url, original: data.originalUrl },
      href: data.url,
      original: data.originalUrl,
      mastHead: typed.mastHead,
      mdName: documentKeyFor(item.itemId),
      openGraphMetaData: withSafeKeys(data.page.openGraphMetaData),
      openProjectCustomFields: data.customFields,
      openProjectWorkPackageType: typed.openProjectWorkPackageType,
      searchCategory: typed.searchCategory,
      slug: data.derived.slug,
      source: typed.source,
      status: typed.status,
      sub: typed.sub,
      tags: typed.tags,
      title,
      via: typed.via,
      insights_description: typed.insights_description,
      insights_name: typed.insights_name,
      viaLink: typed.viaLink,
      relatedOfferings: data.relatedOfferings.map(offeringLink),
      twitterMetaData: withSafeKeys(data.page.twitterMetaData),
      publishedAt: isoDate(data.page.publishedAt),
      modifiedAt: isoDate(data.page.modifiedAt),
      canonicalUrl: data.page.canonicalUrl ?? null,
      siteName: text(data.page.siteName),
      lang: languageTag(data.page.lang),
      publisher: text(data.page.publisher),
      featuredImagePlaceholder: image?.placeholder ?? null,
      featuredImageDominantColor: image?.dominantColor ?? null,
    };
  }
}

/** A date the index can hold: the page's value in UTC, or null when it does not parse. */
function isoDate(value: string | undefined): string | null {
  const time = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

const MAX_PAGE_TEXT_LENGTH = 200;

function text(value: string | undefined): string | null {
  const collapsed = value?.replace(/\s+/g, ' ').trim().slice(0, MAX_PAGE_TEXT_LENGTH);
  return collapsed || null;
}

/** `<html lang>` as a BCP 47 tag (`en`, `en-GB`); anything else the page wrote is dropped. */
function languageTag(value: string | undefined): string | null {
  const tag = value?.trim().replace(/_/g, '-');
  return tag && /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(tag) ? tag : null;
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
  if (!image.valid || !main) return { alt, valid: false, workPackage };
  return {
    alt,
    format: main.format.toUpperCase(),
    href: main.key,
    size: [main.height, main.width],
    valid: true,
    workPackage,
    wpAttachment: image.wpAttachment
      ? { fileName: image.wpAttachment.fileName, link: image.wpAttachment.link }
      : undefined,
    source: image.attachmentUnused ? 'page' : undefined,
  };
}

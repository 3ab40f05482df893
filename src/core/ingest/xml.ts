/**
 * A small XML tree for feeds, read by htmlparser2's tokenizer in XML mode (the parser the
 * Worker already carries for text cleaning, src/core/content/text.ts), with namespaces
 * resolved (Namespaces in XML 1.0 §6: a prefix means what its nearest `xmlns:` says), so
 * `<m:content>` under `xmlns:m="http://search.yahoo.com/mrss/"` is Media RSS like
 * `<media:content>`. Feeds that use a well-known prefix without declaring it (common with
 * `dc:` and `content:`) get the namespace that prefix always names.
 *
 * Entities: the tokenizer leaves them alone and text is decoded with the HTML table
 * (`entities`' decodeHTML), a superset of XML's five and numeric references, because feeds
 * write `&nbsp;` and `&mdash;` in XML. CDATA sections are kept as written.
 *
 * Well-formedness is not checked beyond what a feed reader needs: a document whose root
 * element never closes (a truncated download) is refused; a stray unclosed `<br>` inside
 * a description is not.
 */
import { decodeHTML } from 'entities/decode';
import { Parser } from 'htmlparser2';

export const NS = {
  atom: 'http://www.w3.org/2005/Atom',
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
  media: 'http://search.yahoo.com/mrss/',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rss1: 'http://purl.org/rss/1.0/',
  xml: 'http://www.w3.org/XML/1998/namespace',
} as const;

/** Other spellings of the same namespaces met in feeds (Atom 0.3, Media RSS without a slash). */
const SYNONYMS: Record<string, string> = {
  'http://purl.org/atom/ns#': NS.atom,
  'http://search.yahoo.com/mrss': NS.media,
};

/** Undeclared prefixes that still mean one thing (`xml:` is bound by the spec itself). */
const WELL_KNOWN: Record<string, string> = {
  atom: NS.atom,
  content: NS.content,
  dc: NS.dc,
  media: NS.media,
  rdf: NS.rdf,
  xml: NS.xml,
};

/** Text as it was written (`raw`, entities not decoded) or a CDATA section's content. */
interface TextNode {
  raw: string;
  cdata: boolean;
}

export interface XmlElement {
  /** The namespace URI, '' for none (RSS 2.0's own elements). */
  ns: string;
  /** The local name, without its prefix. */
  name: string;
  /** The name as written (for serialising nested markup). */
  qname: string;
  /** Attribute values decoded, by their names as written (`isPermaLink`, `xml:lang`, `rdf:about`). */
  attrs: Record<string, string>;
  children: (XmlElement | TextNode)[];
}

const isElement = (node: XmlElement | TextNode): node is XmlElement => 'name' in node;

/**
 * The root element of `text`. Throws on a document without one, and on one whose root
 * is left open at the end (a truncated file).
 */
export function parseXml(text: string): XmlElement {
  const root: XmlElement = { ns: '', name: '', qname: '', attrs: {}, children: [] };
  const open: { element: XmlElement; scope: Record<string, string> }[] = [
    { element: root, scope: WELL_KNOWN },
  ];
  let closed = false;
  let ending = false;
  let cdata = false;
  const parser = new Parser(
    {
      onopentag(qname, rawAttrs) {
        const parent = open[open.length - 1]!;
        const scope = { ...parent.scope };
        const attrs: Record<string, string> = {};
        for (const [key, value] of Object.entries(rawAttrs)) {
          const decoded = decodeHTML(value);
          if (key === 'xmlns') scope[''] = decoded;
          else if (key.startsWith('xmlns:')) scope[key.slice(6)] = decoded;
          else attrs[key] = decoded;
        }
        const colon = qname.indexOf(':');
        const prefix = colon < 0 ? '' : qname.slice(0, colon);
        const uri = scope[prefix] ?? '';
        const element: XmlElement = {
          ns: SYNONYMS[uri] ?? uri,
          name: qname.slice(colon + 1),
          qname,
          attrs,
          children: [],
        };
        parent.element.children.push(element);
        open.push({ element, scope });
      },
      onclosetag() {
        open.pop();
        // At the end the parser closes what is still open: that root was never closed.
        if (open.length === 1 && !ending) closed = true;
      },
      ontext(raw) {
        open[open.length - 1]!.element.children.push({ raw, cdata });
      },
      oncdatastart() {
        cdata = true;
      },
      oncdataend() {
        cdata = false;
      },
    },
    { xmlMode: true, decodeEntities: false },
  );
  parser.write(text);
  ending = true;
  parser.end();
  const element = root.children.find(isElement);
  if (!element) throw new Error('no XML element');
  if (!closed) throw new Error(`<${element.qname}> is not closed: the document is cut short`);
  return element;
}

/** The child elements named `name` in namespace `ns`. */
export function children(el: XmlElement | undefined, ns: string, name: string): XmlElement[] {
  return (el?.children ?? []).filter(
    (c): c is XmlElement => isElement(c) && c.ns === ns && c.name === name,
  );
}

/** The first child element named `name` in namespace `ns`. */
export function child(
  el: XmlElement | undefined,
  ns: string,
  name: string,
): XmlElement | undefined {
  return children(el, ns, name)[0];
}

/** An attribute by its local name, whatever prefix it has (`about` finds `rdf:about`). */
export function attr(el: XmlElement | undefined, local: string): string | undefined {
  if (!el) return undefined;
  if (local in el.attrs) return el.attrs[local];
  const key = Object.keys(el.attrs).find((k) => k.slice(k.indexOf(':') + 1) === local);
  return key === undefined ? undefined : el.attrs[key];
}

const escapeText = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function serialize(node: XmlElement | TextNode): string {
  if (!isElement(node)) return node.cdata ? escapeText(node.raw) : node.raw;
  const attrs = Object.entries(node.attrs)
    .map(([k, v]) => ` ${k}="${escapeText(v).replace(/"/g, '&quot;')}"`)
    .join('');
  return `<${node.qname}${attrs}>${node.children.map(serialize).join('')}</${node.qname}>`;
}

/** The markup inside an element, as XML (text escaped where it was not already). */
export function innerXml(el: XmlElement): string {
  return el.children.map(serialize).join('');
}

/**
 * The character content of an element: its text with entities decoded and CDATA as
 * written, the usual way a feed carries HTML (escaped, or in CDATA). An element that holds
 * elements instead (HTML written unescaped into a description, Atom XHTML content) gives
 * its inner markup, so the HTML reaches the text cleaner either way.
 */
export function textContent(el: XmlElement | undefined): string | undefined {
  if (!el) return undefined;
  if (el.children.some(isElement)) return innerXml(el);
  return el.children.map((t) => (isElement(t) ? '' : t.cdata ? t.raw : decodeHTML(t.raw))).join('');
}

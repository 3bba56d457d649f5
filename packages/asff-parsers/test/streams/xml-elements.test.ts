import { MalformedInputError } from '../../src/errors';
import { memorySource } from '../../src/streams/report-source';
import { streamXmlElements, type XmlSelection } from '../../src/streams/xml-elements';
import { collect } from '../support/convert-helpers';

const SELECTION: XmlSelection = { roots: ['report'], elements: ['report/site/item'] };

async function select(xml: string | Buffer, chunkSize?: number) {
  return collect(streamXmlElements(memorySource(xml, chunkSize), SELECTION));
}

describe('streamXmlElements', () => {
  const xml = `<?xml version="1.0"?>
<r:report xmlns:r="urn:x" version="1"><site name="a &amp; b"><item id="1"><title>One</title><body><![CDATA[<b>raw</b>]]></body></item>
<other><item id="ignored"/></other><item id="2"><title>Tw&#x4F;</title></item></site><site name="c"><item id="3"/></site></r:report>`;

  test('yields selected elements with text, CDATA, attributes and ancestors', async () => {
    const found = await select(xml);
    expect(found.map((m) => m.element.attributes.id)).toEqual(['1', '2', '3']);
    expect(found[0].element.textOf('title')).toBe('One');
    expect(found[0].element.textOf('body')).toBe('<b>raw</b>');
    expect(found[1].element.textOf('title')).toBe('TwO');
    expect(found[0].ancestors.map((a) => a.name)).toEqual(['report', 'site']);
    expect(found[0].ancestors[1].attributes.name).toBe('a & b');
    expect(found[2].ancestors[1].attributes.name).toBe('c');
  });

  test('gives the same result whatever the chunk size, including inside multi-byte characters', async () => {
    const text = '<report><site><item><title>Zürich ✓ 🚀</title></item></site></report>';
    for (const size of [1, 2, 3, 5, 64]) {
      const found = await select(Buffer.from(text, 'utf8'), size);
      expect(found[0].element.textOf('title')).toBe('Zürich ✓ 🚀');
    }
  });

  test('does not expand external entities (XXE)', async () => {
    const hostile = '<?xml version="1.0"?><!DOCTYPE report [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><report><site><item><title>&xxe;</title></item></site></report>';
    const outcome = await select(hostile).then(
      (found) => JSON.stringify(found.map((m) => m.element.textOf('title'))),
      (e: Error) => e.message,
    );
    expect(outcome).not.toContain('root:');
  });

  test.each([
    ['another root element', '<project><site/></project>', /root element <project>/],
    ['malformed XML', '<report><site><item></site></report>', /invalid XML/],
    ['truncated XML', '<report><site><item><title>x', /invalid XML/],
    ['empty input', '', /empty/],
  ])('rejects %s', async (_name, text, message) => {
    const error = await select(text).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MalformedInputError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  // The report is attacker-controlled: errors must not quote it (a tag or
  // attribute name may be a credential), only say where and what.
  test.each([
    [
      'an unmatched closing tag',
      '<report><site><item></AKIAQ3EGEXAMPLEKEY12></item></site></report>',
      'invalid XML at line 1, column 43: unexpected close tag',
    ],
    [
      'a duplicate attribute',
      '<report><site AKIAQ3EGEXAMPLEKEY12="1" AKIAQ3EGEXAMPLEKEY12="2"/></report>',
      'invalid XML at line 1, column 65: duplicate attribute',
    ],
    ['an unclosed tag', '<report>\n<AKIAQ3EGEXAMPLEKEY12>', 'invalid XML at line 2, column 22: unclosed tag'],
  ])('an error in %s names the line and column, never the text', async (_name, text, message) => {
    const error = (await select(text).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(MalformedInputError);
    expect(error.message).toBe(message);
  });

  describe('limits that keep memory bounded', () => {
    const rejection = (document: string, selection: Partial<XmlSelection> = {}) =>
      collect(streamXmlElements(memorySource(document, 64 * 1024), { ...SELECTION, ...selection })).then(
        () => undefined,
        (e: unknown) => e as MalformedInputError,
      );

    // 8 MB of `<b/>` inside one selected element became 2 million tree nodes: 433 MB of heap.
    test('a selected element may hold only so many elements', async () => {
      const error = await rejection(`<report><site><item>${'<b/>'.repeat(2_000_000)}</item></site></report>`);
      expect(error?.message).toBe('an element <item> holds more than 100000 elements');
      expect(error?.kind).toBe('too-large');
      expect(await rejection(`<report><site><item>${'<b/>'.repeat(100)}</item></site></report>`, { maxElementNodes: 100 })).toBeUndefined();
    });

    test('elements may nest only so deep', async () => {
      const error = await rejection(`<report>${'<b>'.repeat(300)}`);
      expect(error?.message).toBe('elements are nested deeper than 256 levels');
      expect(error?.kind).toBe('too-large');
    });

    test('an element may have only so many attributes', async () => {
      const attributes = Array.from({ length: 300 }, (_, i) => ` a${i}="x"`).join('');
      const error = await rejection(`<report><site${attributes}/></report>`);
      expect(error?.message).toBe('an element has more than 256 attributes');
    });

    test('an attribute value may be only so long, and counts toward the size of a selected element', async () => {
      expect((await rejection(`<report><site a="${'x'.repeat(70_000)}"/></report>`))?.message)
        .toBe('an attribute value is longer than 65536 characters');
      const item = `<item a="${'x'.repeat(600)}"/>`;
      expect((await rejection(`<report><site><item>${item}</item></site></report>`, { maxElementChars: 500 }))?.message)
        .toBe('an element <item> exceeds 500 characters');
    });

    test('elements outside the selected ones cost nothing and are not limited in number', async () => {
      const found = await collect(
        streamXmlElements(memorySource(`<report>${'<x/>'.repeat(300_000)}<site><item/></site></report>`, 64 * 1024), SELECTION),
      );
      expect(found).toHaveLength(1);
    });
  });
});

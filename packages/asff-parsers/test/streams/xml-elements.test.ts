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
});

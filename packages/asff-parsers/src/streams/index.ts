// The `@devsecops-factory/asff-parsers/streams` entry: report sources and the streaming readers the parsers are
// built on, for a parser written outside this package (README "Streaming and performance").
export { DETECT_HEAD_BYTES, fileSource, memorySource, peekSource, type PeekedSource, type ReportSource } from './report-source';
export { streamJsonElements, type JsonElement, type JsonSelection } from './json-elements';
export { streamXmlElements, XmlElement, type XmlAncestor, type XmlMatch, type XmlSelection } from './xml-elements';
export { MAX_LINE_CHARS, streamLines, type TextLine } from './lines';

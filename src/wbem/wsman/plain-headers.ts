/** The headers and attributes that the plain request reader (plain-request.ts) knows, and the namespaces it interns. */
import { XML_NS } from '../../xml/index.js';
import { NS } from './names.js';
import {
  ACTION,
  IDENTIFIER,
  MAX_ENVELOPE_SIZE,
  MESSAGE_ID,
  OPERATION_TIMEOUT,
  RESOURCE_URI,
  TO,
} from './request-template.js';

// The known headers, each with its own number (a header given twice is left to the tree path): those with a text
// first, as request-template.ts numbers them.
export const SELECTORS = 7;
export const OPTIONS = 8;
export const COUNT_ESTIMATE = 9;
export const LAST_TEXT = IDENTIFIER;

/** The headers of envelope.ts's table by namespace and local name (the differential test holds the two equal). */
export const KNOWN: ReadonlyMap<string, ReadonlyMap<string, number>> = new Map([
  [
    NS.wsa,
    new Map([
      ['To', TO],
      ['Action', ACTION],
      ['MessageID', MESSAGE_ID],
      ['ReplyTo', 10],
      ['FaultTo', 11],
      ['From', 12],
    ]),
  ],
  [
    NS.wsman,
    new Map([
      ['ResourceURI', RESOURCE_URI],
      ['SelectorSet', SELECTORS],
      ['OptionSet', OPTIONS],
      ['MaxEnvelopeSize', MAX_ENVELOPE_SIZE],
      ['OperationTimeout', OPERATION_TIMEOUT],
      ['Locale', 13],
      ['RequestTotalItemsCountEstimate', COUNT_ESTIMATE],
    ]),
  ],
  [
    NS.msWsman,
    new Map([
      ['DataLocale', 14],
      ['SessionId', 15],
      ['OperationID', 16],
      ['SequenceId', 17],
    ]),
  ],
  [NS.wse, new Map([['Identifier', IDENTIFIER]])],
]);

/**
 * The namespace URIs a request declares, each as the one string the tables hold: a declaration's value is a new
 * string at every read, and comparing or hashing it at each element would cost more than this one lookup.
 */
export const CANONICAL: ReadonlyMap<string, string> = new Map(
  [NS.soap, NS.wsa, NS.wsman, NS.msWsman, NS.wse, NS.wsen, NS.wxf, XML_NS].map((u) => [u, u]),
);

/** mustUnderstand (SOAP's or pywinrm's unprefixed one) and xml:lang: what a known header may carry. */
export const headerAttr = (ns: string, local: string): boolean =>
  (local === 'mustUnderstand' && (ns === NS.soap || ns === '')) || (ns === XML_NS && local === 'lang');
/** The attributes of a wsman:Option that readOptions reads. */
export const optionAttr = (ns: string, local: string): boolean =>
  ns === '' && (local === 'Name' || local === 'MustComply');
/** Anything but mustUnderstand: what a header the server does not know may carry to be ignored. */
export const noMustUnderstand = (_ns: string, local: string): boolean => local !== 'mustUnderstand';
